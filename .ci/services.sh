#!/bin/sh
# Starts PostgreSQL, Redis and NATS JetStream when they are not already running.
set -u
port_open() { (echo > "/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1; }
if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
    echo "starting PostgreSQL" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
fi
if ! bash -c 'echo > /dev/tcp/127.0.0.1/4222' >/dev/null 2>&1; then
    echo "starting NATS" >&2
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
        -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
fi
if ! bash -c 'echo > /dev/tcp/127.0.0.1/6379' >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
for i in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 \
        && bash -c 'echo > /dev/tcp/127.0.0.1/4222' >/dev/null 2>&1 \
        && bash -c 'echo > /dev/tcp/127.0.0.1/6379' >/dev/null 2>&1 && exit 0
    sleep 1
done
echo "PostgreSQL, NATS or Redis did not come up" >&2
exit 1
