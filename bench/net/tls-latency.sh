#!/bin/bash
# Benchmark 1 over TLS: the switchover and restore latency of one agent over
# SIP over TLS next to UDP, in the same run and by the same method
# (bench/net/latency.sh with TRANSPORTS "udp tls"): the TLS handshake and the
# certificate's verification on each new connection, against Kamailio's tls
# module, are what the tls rows add.
# usage: bash bench/net/tls-latency.sh PATH-TO-dualsite [OUTAGES-PER-TYPE (20) | smoke] [TYPES]
# TYPES: latency.sh's (default silent refused drop; drop as root only).
# smoke: 2 silent outages each way (`make bench-smoke`).
types=${3:-silent refused drop}
[ "${2:-}" = smoke ] && types=${3:-silent}
[ "$(id -u)" = 0 ] || types=${types/drop/}
exec bash "$(dirname "$0")/latency.sh" "$1" "${2:-20}" "$types" "udp tls"
