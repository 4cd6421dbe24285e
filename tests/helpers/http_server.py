"""What the tests' own HTTP servers share."""

# ``serve_forever``'s poll interval: ``shutdown`` waits for the loop to look up, half a second by default, which
# was dead time at the end of every test that stops a server.
STOP_POLL = 0.02
