#!/usr/bin/env python3
"""Holds a listening TCP socket and runs programs on it as systemd socket activation does
(LISTEN_FDS=1, LISTEN_PID, LISTEN_FDNAMES; the socket as fd 3), one after another, while the
socket stays open: a hub restart under systemd/loa-hub.socket, for tests and benchmarks (harness/,
shared by both; driven by harness/held-socket.ts). Prints "listening PORT". Each line of stdin
names a program to run (a JSON list: the program and its arguments), started once the one before
has ended; it prints "started PID" and, when the program ends, "exited PID". Stdin closed, or the
process that started it gone, stops the program running and ends it."""
import argparse
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument('--host', default='127.0.0.1')
parser.add_argument('--port', type=int, default=0)
parser.add_argument('--name', default='mqtts')
args = parser.parse_args()

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind((args.host, args.port))
sock.listen(4096)
if sock.fileno() != 3:
    os.dup2(sock.fileno(), 3)
os.set_inheritable(3, True)
print(f'listening {sock.getsockname()[1]}', flush=True)

wanted = queue.Queue()
stdin_closed = threading.Event()


def read_stdin():
    for line in sys.stdin:
        if line.strip():
            wanted.put(json.loads(line))
    stdin_closed.set()


threading.Thread(target=read_stdin, daemon=True).start()


def start(argv):
    # sh's $$ is the pid the program keeps through exec: LISTEN_PID names it, as systemd does.
    script = f'export LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES={args.name}; exec "$@"'
    child = subprocess.Popen(['sh', '-c', script, 'sh', *argv], pass_fds=(3,), stdin=subprocess.DEVNULL)
    print(f'started {child.pid}', flush=True)
    return child


def stop(child):
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


parent = os.getppid()
child = None
done = False
while not done:
    if child is not None and child.poll() is not None:
        print(f'exited {child.pid}', flush=True)
        child = None
    if child is None and not wanted.empty():
        child = start(wanted.get())
    time.sleep(0.02)
    # Stdin closed, or the test or benchmark that started us gone: leave nothing behind.
    done = (stdin_closed.is_set() and wanted.empty()) or os.getppid() != parent
if child is not None:
    stop(child)
    print(f'exited {child.pid}', flush=True)
