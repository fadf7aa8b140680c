#!/usr/bin/env bash
# Builds the floor servers into build/ (needs gcc and liburing-dev: apt-get install -y liburing-dev).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p build
gcc -O2 -Wall -o build/tcpEchoEpoll tcpEchoEpoll.c
gcc -O2 -Wall -o build/tcpEchoUring tcpEchoUring.c -luring
gcc -O2 -Wall -o build/udpEcho udpEcho.c -luring
