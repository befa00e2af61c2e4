#!/bin/sh
# Run once by the postgres image when it creates the primary's data directory: allow the streaming replica
# (docker compose --profile replica) to connect for replication with the password of POSTGRES_USER.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
