"""Modules loaded on first attribute access: a cold start imports only what its first request uses.
Reading a customer must not load the validation library, for instance.

A small proxy rather than importlib's LazyLoader: LazyLoader (Python 3.11) lets a second thread see
a half-executed module, which concurrent requests in one process (the local server, tests) hit."""
import importlib
import importlib.util
import sys
import threading
from types import ModuleType

_lock = threading.RLock()


class _LazyModule(ModuleType):
    def __getattr__(self, attribute: str):
        name = self.__name__
        with _lock:  # one thread imports; the others wait for the finished module (a dict lookup after)
            module = importlib.import_module(name)
        return getattr(module, attribute)


def lazy_import(name: str) -> ModuleType:
    """The module if loaded already, else a stand-in that imports it on first use."""
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(name)
    return _LazyModule(name)
