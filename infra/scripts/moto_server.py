"""Local AWS endpoint (DynamoDB, SES v2, Scheduler) for tests and benchmarks.

moto's stock server answers each request on its own thread, and its TransactWriteItems
checks conditions and writes item by item, rolling back by restoring a copy of the whole
table: two transactions at once can both pass their checks, and a rollback can undo another
request's write. DynamoDB itself serialises conflicting transactions. Serving one request at a
time gives the same guarantee, so concurrency tests exercise the project's own retry logic
against a store that behaves like DynamoDB rather than against moto's races.

moto's Query on a table (not an index) sorts every item of the table and then keeps those of
the partition asked for, so one Query costs time in proportion to the whole table: seconds
for the search benchmark's two million postings. DynamoDB reads only the partition. Here a
table Query starts from that partition's items, in sort-key order, and moto's own code does
the rest (conditions, limits, pages), so the answers are the same.
"""

import os
import sys

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.dynamodb.models.table import Table

_table_query = Table.query


def _query_one_partition(self, hash_key, *args, **kwargs):
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if index_name or hash_key is None or not self.range_key_attr:
        return _table_query(self, hash_key, *args, **kwargs)
    partition = self.items.get(hash_key, {})
    # Requests are served one at a time, so the instance may shadow the method meanwhile.
    self.all_items = lambda: sorted(partition.values(), key=lambda item: item.range_key)
    try:
        return _table_query(self, hash_key, *args, **kwargs)
    finally:
        del self.all_items


Table.query = _query_one_partition


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
