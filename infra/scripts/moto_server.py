"""Local AWS endpoint (DynamoDB, SES v2, Scheduler) for tests and benchmarks.

moto's stock server answers each request on its own thread, and its TransactWriteItems
checks conditions and writes item by item, rolling back by restoring a copy of the whole
table: two transactions at once can both pass their checks, and a rollback can undo another
request's write. DynamoDB itself serialises conflicting transactions. Serving one request at a
time gives the same guarantee, so concurrency tests exercise the project's own retry logic
against a store that behaves like DynamoDB rather than against moto's races.
"""

import os
import sys

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.moto_server.threaded_moto_server import MotoRequestHandler


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
