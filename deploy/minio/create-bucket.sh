#!/bin/sh
# The `create-bucket` one-shot of deploy/compose.yaml (run by the MinIO client image, `mc`):
# the records bucket with Object Lock, and the app's own MinIO user, allowed to use that
# bucket and nothing else. Safe to run again: what exists is kept.
set -eu

if env | grep -q CHANGE_ME; then
    echo "deploy/.env still has a CHANGE_ME: replace every one, then run this again." >&2
    exit 1
fi

alias=proceed-minio
bucket="$PROCEED_S3_BUCKET"
mc alias set "$alias" http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null

# Object Lock can only be switched on when a bucket is made (it switches versioning on too).
# No default retention is set on the bucket: Proceed writes each record with its own
# COMPLIANCE retention (PROCEED_RECORD_RETENTION_DAYS).
mc mb --ignore-existing --with-lock "$alias/$bucket"
if ! mc retention info --default "$alias/$bucket" >/dev/null 2>&1; then
    echo "The bucket $bucket exists without Object Lock, so its records could be deleted or overwritten." >&2
    echo "Object Lock can't be switched on later: set PROCEED_S3_BUCKET to a new bucket's name." >&2
    exit 1
fi

# The app's user: read, write and list the records, set each one's retention, and read the
# bucket's lock settings. It may not change the bucket, its lock or its versioning, remove
# a version (s3:DeleteObjectVersion), or bypass retention. A plain delete (the health check
# removes its own small test file) only adds a delete marker: every version stays.
policy=/tmp/proceed-records-policy.json
cat >"$policy" <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetBucketLocation",
        "s3:ListBucket",
        "s3:GetBucketVersioning",
        "s3:GetBucketObjectLockConfiguration"
      ],
      "Resource": ["arn:aws:s3:::$bucket"]
    },
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:GetObjectRetention",
        "s3:PutObjectRetention"
      ],
      "Resource": ["arn:aws:s3:::$bucket/*"]
    }
  ]
}
POLICY
mc admin policy create "$alias" proceed-records "$policy"
mc admin user add "$alias" "$PROCEED_S3_ACCESS_KEY_ID" "$PROCEED_S3_SECRET_ACCESS_KEY"
# Attaching a policy that is already attached (a second run) is refused; check the result instead.
mc admin policy attach "$alias" proceed-records --user "$PROCEED_S3_ACCESS_KEY_ID" >/dev/null 2>&1 || true
if ! mc admin user info "$alias" "$PROCEED_S3_ACCESS_KEY_ID" | grep -q proceed-records; then
    echo "Could not give the app's user the proceed-records policy." >&2
    exit 1
fi
echo "Bucket $bucket is ready, with Object Lock, for the app's user."
