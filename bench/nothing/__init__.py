"""The do-nothing Django project: the reference the app's rows are divided by.

What `django-admin startproject` makes (its apps and middleware), with one view
that returns a short text: the floor of a Django request under gunicorn.
"""
