"""The portal as gunicorn serves it in the load and kill tests: production settings, but session cookies
also over plain HTTP, since the load generator talks to gunicorn on the loopback without nginx and TLS."""
from portal import create_app

app = create_app({"PORTAL_ENV": "production", "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
