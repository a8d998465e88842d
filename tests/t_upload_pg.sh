#!/bin/sh
# t_upload against a PostgreSQL store (tests/t_upload.sh, STORE=pg).
cd "$(dirname "$0")/.." || exit 1
STORE=pg exec sh tests/t_upload.sh
