"""What the tests share that is not a fixture: where the captures are, warehouses they build, checks they repeat.

Fixtures live in ``tests/conftest.py``; test modules import these helpers as ``from helpers.x import y``
(``tests/`` is on ``sys.path`` while pytest runs).
"""
