"""Uploads web/ to the stack's private site bucket and invalidates the CloudFront cache.

Run by `make deploy` after `sam deploy` (python from the project venv, where the SAM CLI
brought boto3): python infra/scripts/upload_site.py <stack-name> <region> [web-dir]
"""

import mimetypes
import os
import sys
import time

import boto3


def main() -> None:
    stack, region = sys.argv[1], sys.argv[2]
    root = sys.argv[3] if len(sys.argv) > 3 else "web"
    cfn = boto3.client("cloudformation", region_name=region)
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    }
    bucket, distribution = outputs["SiteBucketName"], outputs["SiteDistributionId"]
    s3 = boto3.client("s3", region_name=region)
    uploaded = set()
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".mk") or name == "README.md":
                continue  # build notes, not the site
            path = os.path.join(folder, name)
            key = os.path.relpath(path, root).replace(os.sep, "/")
            ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
                ctype += "; charset=utf-8"
            # HTML and the config are checked on every visit; the rest may be cached a day.
            cache = "no-cache" if name.endswith((".html", ".json")) else "public, max-age=86400"
            s3.upload_file(path, bucket, key, ExtraArgs={"ContentType": ctype, "CacheControl": cache})
            uploaded.add(key)
    stale = [
        {"Key": o["Key"]}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for o in page.get("Contents", [])
        if o["Key"] not in uploaded
    ]
    for i in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": stale[i : i + 1000]})
    boto3.client("cloudfront").create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time())},
    )
    print(f"uploaded {len(uploaded)} files to s3://{bucket}, removed {len(stale)}, invalidated {distribution}")


if __name__ == "__main__":
    main()
