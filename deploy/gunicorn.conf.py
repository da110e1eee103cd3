"""gunicorn settings for the portal: `gunicorn -c deploy/gunicorn.conf.py "portal:create_app()"`."""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two processes per core plus one, a few threads each so slow mobile clients do not pin a worker. Under the GIL a
# process runs Python on one core at a time, and a gthread worker keeps the kept-alive connections it accepted: with
# one process per core plus one, the busiest took most connections while another idled, and most pages served less
# than with five (bench/RESULTS.md, "Speed").
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


def post_fork(server, worker):
    """glibc raises its mmap threshold after the first large block is freed (up to 32 MiB), so each thread's arena
    would then keep the 19 MiB an argon2id check uses (4 threads: about 80 MB more per worker). A fixed threshold
    keeps such blocks mmapped: given back to the system when the check ends."""
    import ctypes
    import ctypes.util

    libc = ctypes.util.find_library("c")
    if libc:
        M_MMAP_THRESHOLD = -3
        getattr(ctypes.CDLL(libc), "mallopt", lambda *_: 0)(M_MMAP_THRESHOLD, 1 << 20)
