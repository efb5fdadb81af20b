"""Lightens moto_server's per-request work; Python runs this at start-up when this directory is on
PYTHONPATH, which local/moto-server.ts puts there for the moto_server processes it starts.

moto_server looks up the backend of every request twice, and each lookup lists moto's package
directory again (a listdir and about 150 stat calls: moto.backends.list_of_moto_modules). The
directory does not change while the server runs, so the list is read once. The werkzeug access-log
line per request goes to a pipe nobody reads (local/moto-server.ts reads stderr only until "Running
on"), so it is not written. Measured on 450 Secrets Manager calls: 264 → 184 CPU ticks, about 30%
less. Nothing moto answers changes; if moto or werkzeug lack what is patched here, moto runs as it is.

Any sitecustomize this one shadows (one further down sys.path) runs afterwards, as it would have.
"""
import os
import sys


def _lighten_moto_server():
    try:
        import moto.backends as backends
        import werkzeug.serving as serving
    except ImportError:
        return
    scan = getattr(backends, "list_of_moto_modules", None)
    if callable(scan):
        modules = tuple(scan())
        backends.list_of_moto_modules = lambda: iter(modules)
    handler = getattr(serving, "WSGIRequestHandler", None)
    if handler is not None and hasattr(handler, "log_request"):
        handler.log_request = lambda self, code="-", size="-": None


def _run_shadowed_sitecustomize():
    here = os.path.dirname(os.path.abspath(__file__))
    for entry in sys.path:
        directory = os.path.abspath(entry or os.curdir)
        candidate = os.path.join(directory, "sitecustomize.py")
        if directory != here and os.path.isfile(candidate):
            with open(candidate, encoding="utf-8") as source:
                code = compile(source.read(), candidate, "exec")
            exec(code, {"__name__": "sitecustomize", "__file__": candidate})
            return


_lighten_moto_server()
_run_shadowed_sitecustomize()
