import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.production")

application = get_wsgi_application()
# Everything loaded so far lives as long as the process: keep the cyclic garbage
# collector from walking it again on every collection (about a millisecond of a
# rendered page).
gc.freeze()
