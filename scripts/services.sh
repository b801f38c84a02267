# Local PostgreSQL and Redis servers from Debian's packages, for the tests and
# for several backend workers. Source this file from a bash script; each
# function installs its server with apt when it is missing and we are root,
# starts it when it is down, prints its URL on stdout and its news on stderr.
#
#   postgres_server_url    the local cluster, as its superuser (over TCP)
#   postgres_database_url NAME   the same server's database NAME, created if missing
#   redis_server_url       the local Redis server (database 0)

# The password the local cluster's postgres role gets for TCP connections.
# The packaged cluster listens on 127.0.0.1 only.
LOCAL_POSTGRES_PASSWORD=ia-portal-tests

_install_debian_package() {
  local package=$1
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's $package" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
  else
    echo "$package is not installed: install Debian's $package package" >&2
    return 1
  fi
}

postgres_server_url() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    _install_debian_package postgresql || return 1
  fi

  # Start the packaged cluster (a running one stays as it is) and give the
  # postgres role a password for TCP.
  local cluster port
  cluster=$(pg_lsclusters --no-header | awk 'NR == 1 {print $1 " " $2}')
  # shellcheck disable=SC2086
  pg_ctlcluster $cluster start >/dev/null 2>&1 || true
  su postgres -c \
    "psql -q -c \"ALTER USER postgres PASSWORD '$LOCAL_POSTGRES_PASSWORD';\"" >&2
  port=$(pg_lsclusters --no-header | awk 'NR == 1 {print $3}')
  echo "postgresql+psycopg://postgres:$LOCAL_POSTGRES_PASSWORD@127.0.0.1:$port/postgres"
}

postgres_database_url() {
  local name=$1 server
  server=$(postgres_server_url) || return 1
  if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = '$name'\"" \
    | grep -q 1; then
    echo "creating PostgreSQL database $name" >&2
    su postgres -c "createdb '$name'" >&2
  fi
  echo "${server%/postgres}/$name"
}

redis_server_url() {
  local port=6379
  if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
    if ! command -v redis-server >/dev/null 2>&1; then
      _install_debian_package redis-server || return 1
    fi
    # The package's init script runs the server as its own user, as a daemon,
    # with the package's configuration (127.0.0.1:6379).
    /etc/init.d/redis-server start >&2 || return 1
    local tries
    for tries in $(seq 1 50); do
      redis-cli -p "$port" ping >/dev/null 2>&1 && break
      [ "$tries" = 50 ] && { echo "Redis did not start on port $port" >&2; return 1; }
      sleep 0.2
    done
  fi
  echo "redis://127.0.0.1:$port/0"
}
