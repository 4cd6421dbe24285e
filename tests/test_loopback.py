"""The loopback server that replays serve captures from: every crawler's connection is queued at once."""

from __future__ import annotations

import socket
from contextlib import ExitStack
from http.server import SimpleHTTPRequestHandler

from aiprices.schedules.loopback import LoopbackHTTPServer

# A replay of every source opens a connection per source (two with robots.txt asked) at the same moment.
SIMULTANEOUS = 40
# Well below the kernel's first SYN retransmission (1 s), which is what a connection the queue dropped waits.
CONNECT_TIMEOUT = 0.5


def test_connections_wait_in_the_queue_while_the_server_is_too_busy_to_accept():
    """The server is not accepting at all here (as when the loads hold the parent's CPU): each connection must
    still complete its handshake into the listen queue. The default queue of 5 dropped the rest, and each
    dropped connection cost a replay a whole second."""
    server = LoopbackHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    with server, ExitStack() as sockets:
        for _ in range(SIMULTANEOUS):
            sockets.enter_context(socket.create_connection(server.server_address, timeout=CONNECT_TIMEOUT))
