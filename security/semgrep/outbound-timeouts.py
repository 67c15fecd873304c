# ruff: noqa
# Examples for `semgrep --test`: the flagged lines are wrong on purpose.
import http.client
import smtplib
import socket
import urllib.request

import httpx
import redis
import requests
import stripe
from paypalserversdk.configuration import Configuration, Environment
from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient


def http(url):
    # ruleid: http-client-without-timeout
    requests.get(url)
    # ruleid: http-client-without-timeout
    requests.post(url, json={}, timeout=None)
    # ruleid: http-client-without-timeout
    httpx.Client()
    # ruleid: http-client-without-timeout
    urllib.request.urlopen(url)
    # ruleid: http-client-without-timeout
    http.client.HTTPSConnection("example.org")

    # ok: http-client-without-timeout
    requests.get(url, timeout=5)
    # ok: http-client-without-timeout
    httpx.post(url, timeout=httpx.Timeout(5.0))
    # ok: http-client-without-timeout
    urllib.request.urlopen(url, timeout=3)
    # ok: http-client-without-timeout
    urllib.request.urlopen(url, None, 3)
    # ok: http-client-without-timeout
    http.client.HTTPConnection("example.org", 80, timeout=5)
    # ok: http-client-without-timeout
    requests.exceptions.Timeout("x")
    session = requests.Session()
    # ruleid: http-client-without-timeout
    session.post(url, json={})
    # ok: http-client-without-timeout
    session.post(url, json={}, timeout=5)
    with requests.Session() as other:
        # ruleid: http-client-without-timeout
        other.get(url)
        # ok: http-client-without-timeout
        other.get(url, timeout=(3, 10))


def sockets(url, host):
    # ruleid: socket-client-without-timeout
    smtplib.SMTP(host, 25)
    # ruleid: socket-client-without-timeout
    smtplib.SMTP_SSL(host)
    # ruleid: socket-client-without-timeout
    socket.create_connection((host, 25))
    # ruleid: socket-client-without-timeout
    redis.Redis.from_url(url)
    # ruleid: socket-client-without-timeout
    redis.Redis(host=host, socket_timeout=1)

    # ok: socket-client-without-timeout
    smtplib.SMTP(host, 25, timeout=10)
    # ok: socket-client-without-timeout
    socket.create_connection((host, 25), timeout=1)
    # ok: socket-client-without-timeout
    socket.create_connection((host, 25), 1)
    # ok: socket-client-without-timeout
    redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)


def caches(url):
    return {
        # ruleid: redis-cache-without-timeout
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url},
        # ruleid: redis-cache-without-timeout
        "other": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "OPTIONS": {"SOCKET_TIMEOUT": 2},
        },
        # ok: redis-cache-without-timeout
        "pages": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        },
        # ok: redis-cache-without-timeout
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }


def payments(key, credentials):
    # ruleid: payment-client-without-timeout
    stripe.StripeClient(key)
    # ruleid: payment-client-without-timeout
    stripe.StripeClient(key, http_client=stripe.RequestsClient())
    # ruleid: payment-client-without-timeout
    stripe.default_http_client = stripe.HTTPXClient()
    # ruleid: payment-client-without-timeout
    Configuration(environment=Environment.SANDBOX)
    # ruleid: payment-client-without-timeout
    PaypalServersdkClient(client_credentials_auth_credentials=credentials)

    # ok: payment-client-without-timeout
    stripe.StripeClient(key, http_client=stripe.RequestsClient(timeout=10))
    # ok: payment-client-without-timeout
    stripe.default_http_client = stripe.RequestsClient(timeout=10)
    config = Configuration(timeout=20, environment=Environment.SANDBOX)
    # ok: payment-client-without-timeout
    PaypalServersdkClient(config=config)


def paypal_configuration(environment):
    options = {"timeout": 20, "environment": environment}
    # ok: payment-client-without-timeout
    return Configuration(**options)


def paypal_configuration_without_timeout(environment):
    options = {"environment": environment}
    # ruleid: payment-client-without-timeout
    return Configuration(**options)
