"""gunicorn settings for the portal: `gunicorn -c deploy/gunicorn.conf.py "portal:create_app()"`."""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers, two per core plus one; a few threads each so slow mobile clients do not pin a worker.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (jitter spreads the restarts); rarely, because a gthread worker that exits
# drops requests already sent on its kept-alive connections (gunicorn issue #3038; see bench/RESULTS.md).
max_requests = 20000
max_requests_jitter = 2000
preload_app = False
control_socket_disable = True  # several instances on one host must not fight over one socket
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)ss'
