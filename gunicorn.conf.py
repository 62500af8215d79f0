# SPDX-License-Identifier: EUPL-1.2
"""gunicorn settings for Buurtlens. Every value can be overridden on the command line or with
GUNICORN_CMD_ARGS; worker count also with BUURTLENS_WORKERS."""

import multiprocessing
import os

bind = os.environ.get("BUURTLENS_BIND", "127.0.0.1:8050")
workers = int(os.environ.get("BUURTLENS_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("BUURTLENS_THREADS", 2))
# The app reads nothing at import, so preloading is safe and saves memory; each worker opens
# the warehouse read-only itself, lazily, after the fork.
preload_app = True
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("BUURTLENS_LOG_LEVEL", "info").lower()
limit_request_line = 8190
limit_request_fields = 100
