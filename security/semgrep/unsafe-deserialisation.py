# ruff: noqa
# Examples for `semgrep --test`: the flagged lines are wrong on purpose.
import builtins
import marshal
import pickle
import shelve

import jsonpickle
import yaml


def loads(request, path, blob):
    # ruleid: unsafe-deserialisation
    pickle.loads(request.body)
    with open(path, "rb") as f:
        # ruleid: unsafe-deserialisation
        pickle.load(f)
        # ruleid: unsafe-deserialisation
        pickle.Unpickler(f).load()
    # ruleid: unsafe-deserialisation
    marshal.loads(blob)
    # ruleid: unsafe-deserialisation
    jsonpickle.decode(request.body)
    # ruleid: unsafe-deserialisation
    shelve.open(path)
    # ruleid: unsafe-deserialisation
    yaml.load(request.body)
    # ruleid: unsafe-deserialisation
    yaml.load(request.body, Loader=yaml.Loader)
    # ruleid: unsafe-deserialisation
    yaml.load_all(request.body, Loader=yaml.FullLoader)
    # ruleid: unsafe-deserialisation
    yaml.unsafe_load(request.body)
    # ruleid: unsafe-deserialisation
    yaml.full_load(request.body)

    # ok: unsafe-deserialisation
    yaml.safe_load(request.body)
    # ok: unsafe-deserialisation
    yaml.load(request.body, Loader=yaml.SafeLoader)
    # ok: unsafe-deserialisation
    yaml.load(request.body, yaml.CSafeLoader)
    # ok: unsafe-deserialisation
    pickle.dumps({"a": 1})
    # ok: unsafe-deserialisation
    marshal.dumps(1)


def evaluates(request, source):
    # ruleid: eval-or-exec
    eval(request.GET["expression"])
    # ruleid: eval-or-exec
    exec(source)
    # ruleid: eval-or-exec
    builtins.eval("1 + 1")
    # ruleid: eval-or-exec
    compile(source, "<string>", "exec")

    # ok: eval-or-exec
    compile(r"\d+", 0)
    # ok: eval-or-exec
    request.session.evaluate("x")
