"""The test suite's no-network guard, loaded by every Python process the tests start.

``tests/conftest.py`` prepends this folder to ``PYTHONPATH`` and sets
``PROVENANCE_TEST_NO_NETWORK=1``, so a ``provenance`` subprocess imports this module at
start-up (Python imports ``sitecustomize`` on its own) and installs the guard before
any code of the project runs. The conftest installs the same guard in the pytest
process itself.

The guard replaces the socket functions that reach another host (``connect``,
``connect_ex``, ``sendto``, ``getaddrinfo``, ``gethostbyname``...): a loopback address
or a Unix socket passes, anything else raises :class:`NetworkBlocked` and is recorded,
in :data:`ATTEMPTS` and, when ``PROVENANCE_TEST_NETWORK_LOG`` names a file, as one
line appended to it (so a test can see what a subprocess tried).

Why hand-written rather than pytest-socket: pytest-socket guards the pytest process
only, not the subprocesses the tests start, and it blocks by default what the server
tests need (it can allow hosts, but not record what was attempted). This is about
sixty lines. It sees Python's own sockets only: a C or Rust library that opens its own
would pass unseen (pyoxigraph's SERVICE client is one, which is why the product refuses
SERVICE before a query reaches it).
"""

from __future__ import annotations

import ipaddress
import os
import socket

__all__ = ["ATTEMPTS", "NetworkBlocked", "install", "is_loopback"]

#: every blocked attempt of this process: "function host:port"
ATTEMPTS: list[str] = []
_LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class NetworkBlocked(ConnectionRefusedError):
    """A test tried to reach a host other than this machine."""


def is_loopback(host: object) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): the local host, for a server to bind
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    text = str(host).strip().lower().strip("[]").split("%")[0]
    if text in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False  # a host name to resolve: that would be a DNS request
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or address.is_unspecified or bool(mapped and mapped.is_loopback)


def _record(what: str, host: object, port: object) -> None:
    entry = f"{what} {host}:{port}"
    ATTEMPTS.append(entry)
    log = os.environ.get("PROVENANCE_TEST_NETWORK_LOG")
    if log:
        try:
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{os.getpid()} {entry}\n")
        except OSError:
            pass
    raise NetworkBlocked(f"network access blocked in tests: {entry}")


def _check_address(what: str, address: object) -> None:
    if isinstance(address, tuple) and address:
        host, port = address[0], address[1] if len(address) > 1 else None
        if not is_loopback(host):
            _record(what, host, port)
    # str/bytes addresses are Unix sockets: local.


def install() -> None:
    """Install the guard in this process (idempotent)."""
    if getattr(socket, "_provenance_guarded", False):
        return
    sock = socket.socket
    connect, connect_ex, sendto = sock.connect, sock.connect_ex, sock.sendto

    def guarded_connect(self, address):  # type: ignore[no-untyped-def]
        _check_address("connect", address)
        return connect(self, address)

    def guarded_connect_ex(self, address):  # type: ignore[no-untyped-def]
        _check_address("connect", address)
        return connect_ex(self, address)

    def guarded_sendto(self, data, *args):  # type: ignore[no-untyped-def]
        _check_address("sendto", args[-1] if args else None)
        return sendto(self, data, *args)

    sock.connect, sock.connect_ex, sock.sendto = (  # type: ignore[method-assign]
        guarded_connect, guarded_connect_ex, guarded_sendto)

    def resolver(name: str, original):  # type: ignore[no-untyped-def]
        def guarded(host, *args, **kwargs):  # type: ignore[no-untyped-def]
            if not is_loopback(host):
                _record(name, host, args[0] if args else "")
            return original(host, *args, **kwargs)

        return guarded

    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
        setattr(socket, name, resolver(name, getattr(socket, name)))
    socket._provenance_guarded = True  # type: ignore[attr-defined]


if os.environ.get("PROVENANCE_TEST_NO_NETWORK") == "1":
    install()
