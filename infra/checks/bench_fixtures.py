"""Creates what the functions read at init or on the bench's first request, in moto:
the table (same keys and indexes as template.yaml) and the e-book secret parameter."""
import sys
import time

import boto3

endpoint, table, param = sys.argv[1], sys.argv[2], sys.argv[3]
kw = dict(endpoint_url=endpoint, region_name="ap-northeast-1",
          aws_access_key_id="testing", aws_secret_access_key="testing")

for _ in range(100):  # moto takes a moment to listen
    try:
        boto3.client("sts", **kw).get_caller_identity()
        break
    except Exception:
        time.sleep(0.1)

ddb = boto3.client("dynamodb", **kw)
indexes = {"ByDueDate": "due", "ByPickupDeadline": "pickup", "ByAddedOn": "added",
           "NewArrivalSubscribers": "alerts"}
attrs = ["pk", "sk"] + [f"{p}_{k}" for p in indexes.values() for k in ("pk", "sk")]
ddb.create_table(
    TableName=table,
    BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in attrs],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    GlobalSecondaryIndexes=[
        {"IndexName": name,
         "KeySchema": [{"AttributeName": f"{p}_pk", "KeyType": "HASH"},
                       {"AttributeName": f"{p}_sk", "KeyType": "RANGE"}],
         "Projection": {"ProjectionType": "ALL"}}
        for name, p in indexes.items()
    ],
)
boto3.client("ssm", **kw).put_parameter(
    Name=param, Type="SecureString", Value="bench-only-signing-secret-0123456789abcdef", Overwrite=True)
print(f"moto ready at {endpoint}: table {table}, parameter {param}")
