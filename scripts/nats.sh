#!/usr/bin/env bash
# Real NATS servers with JetStream on loopback, for the JetStream tests and by hand:
#   scripts/nats.sh start DIR           one server; prints its client URL
#   scripts/nats.sh start-cluster DIR   three servers in a cluster (streams may have 3 replicas);
#                                       prints their client URLs, comma-separated
#   scripts/nats.sh stop DIR            stops every server started in DIR, by PID (SIGKILL: the
#                                       stores are scratch, and a graceful stop takes 2 s)
#   scripts/nats.sh kill DIR N          kills server N (1-3) with SIGKILL, as a crash would
#   scripts/nats.sh pause|resume DIR N  stops server N with SIGSTOP (it answers nothing, as
#                                       behind a partition) and lets it go on with SIGCONT
# DIR (created if missing) holds each server's store, log, PID and ports. Ports are chosen by
# the servers (no clash with anything running); start returns once every server answers
# /healthz, which includes JetStream (and, in a cluster, an elected meta leader).
set -euo pipefail

usage() {
  echo "usage: scripts/nats.sh start|start-cluster|stop DIR, or kill|pause|resume DIR N" >&2
  exit 2
}
(($# >= 2)) || usage
command=$1
dir=$2
readonly patience=30 # seconds a server gets to start

# The port named $2 ("nats", "monitoring", "cluster") in node $1's ports file, once written.
port_of() {
  local file
  file=$(ls "$dir/node$1"/*.ports 2> /dev/null | head -n1) || true
  [[ -n $file ]] || return 1
  sed -n "s/.*\"$2\":\[\"[a-z]*:\/\/127.0.0.1:\([0-9]*\)\".*/\1/p" "$file"
}

# Starts node $1 with the remaining arguments, in the background; its ports come later.
launch() {
  local node=$1
  shift
  local home=$dir/node$node
  rm -rf "$home"
  mkdir -p "$home/store"
  nats-server -a 127.0.0.1 -p -1 -m -1 -js -sd "$home/store" -n "node$node" \
    --ports_file_dir "$home" "$@" < /dev/null > "$home/log" 2>&1 &
  echo $! > "$home/pid"
}

# An HTTP GET of /healthz on node $1's monitoring port: true when it answers 200.
healthy() {
  local port
  port=$(port_of "$1" monitoring) && [[ -n $port ]] || return 1
  exec 3<> "/dev/tcp/127.0.0.1/$port" 2> /dev/null || return 1
  printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  local status
  read -r -t 5 status <&3 || status=""
  exec 3>&-
  [[ $status == *" 200 "* ]]
}

# Waits until every node given answers /healthz; fails (after stopping them all) when one
# exits or past `patience`.
await_ready() {
  local deadline=$((SECONDS + patience)) node
  for node in "$@"; do
    until healthy "$node"; do
      if ! alive "$(cat "$dir/node$node/pid")" || ((SECONDS > deadline)); then
        echo "nats.sh: node$node did not become ready; its log:" >&2
        tail -n 20 "$dir/node$node/log" >&2 || true
        stop_all
        return 1
      fi
      sleep 0.05
    done
  done
}

url_of() { echo "nats://127.0.0.1:$(port_of "$1" nats)"; }

# True while process $1 runs: a killed one whose parent has not reaped it yet (a zombie) has
# ended already.
alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2> /dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# True when process $1 is a nats-server (a PID file may outlive its process, and the PID be
# another program's by now).
ours() { [[ $(cat "/proc/$1/comm" 2> /dev/null) == nats-server ]]; }

# Kills each node's process and waits for it to end.
stop_all() {
  local pidfile pid
  for pidfile in "$dir"/node*/pid; do
    [[ -f $pidfile ]] || continue
    pid=$(cat "$pidfile")
    if ours "$pid"; then
      kill -KILL "$pid" 2> /dev/null || true
      while alive "$pid"; do sleep 0.01; done
    fi
    rm -f "$pidfile"
  done
}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
case $command in
  start)
    stop_all
    launch 1
    await_ready 1 || exit 1
    url_of 1
    ;;
  start-cluster)
    stop_all
    # JetStream clusters need their routes configured up front: three cluster ports that
    # nothing listens on now. Another program may take one before its node does, which then
    # does not start: three tries with new ports.
    for attempt in 1 2 3; do
      ports=()
      while ((${#ports[@]} < 3)); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null &&
          [[ " ${ports[*]} " != *" $port "* ]]; then
          ports+=("$port")
        fi
      done
      routes=$(printf 'nats://127.0.0.1:%s,' "${ports[@]}")
      for node in 1 2 3; do
        launch "$node" --cluster_name nanofaas --cluster "nats://127.0.0.1:${ports[node - 1]}" \
          --routes "${routes%,}"
      done
      if await_ready 1 2 3; then
        echo "$(url_of 1),$(url_of 2),$(url_of 3)"
        exit 0
      fi
      echo "nats.sh: cluster start $attempt of 3 failed" >&2
    done
    exit 1
    ;;
  stop) stop_all ;;
  kill)
    (($# == 3)) || usage
    [[ -f $dir/node$3/pid ]] || { echo "nats.sh: no node$3 running in $dir" >&2; exit 1; }
    dir=$dir/node$3
    pid=$(cat "$dir/pid")
    if ours "$pid"; then
      kill -KILL "$pid" 2> /dev/null || true
      while alive "$pid"; do sleep 0.01; done
    fi
    rm -f "$dir/pid"
    ;;
  pause | resume)
    (($# == 3)) || usage
    [[ -f $dir/node$3/pid ]] || { echo "nats.sh: no node$3 running in $dir" >&2; exit 1; }
    signal=STOP
    [[ $command == resume ]] && signal=CONT
    pid=$(cat "$dir/node$3/pid")
    ours "$pid" || { echo "nats.sh: node$3 is not running" >&2; exit 1; }
    kill "-$signal" "$pid"
    ;;
  *) usage ;;
esac
