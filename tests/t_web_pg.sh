#!/bin/sh
# t_web against a PostgreSQL store (tests/t_web.sh, STORE=pg).
cd "$(dirname "$0")/.." || exit 1
STORE=pg exec sh tests/t_web.sh
