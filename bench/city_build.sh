#!/usr/bin/env bash
# Build the city-scale dataset (`fazhi demo --scale city`) and append its build time, row
# counts and database size to bench/results/city_build.txt.
#   bench/city_build.sh postgresql [PGDATA]   a throwaway server (scripts/pg-local), kept running
#                                             afterwards for the indicator benchmarks
#   bench/city_build.sh sqlite [FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-postgresql}
case "$db" in
  postgresql)
    PGDATA=${2:-/tmp/fazhi-bench-pg}
    rm -rf "$PGDATA"
    export DATABASE_URL=$(scripts/pg-local start "$PGDATA" 54330) ;;
  sqlite)
    file=${2:-/tmp/fazhi-city.sqlite3}; rm -f "$file"
    export DATABASE_URL=sqlite:///$file ;;
esac
.venv/bin/python manage.py migrate -v0
start=$(date +%s.%N)
.venv/bin/python manage.py demo --scale city --today 2025-12-31 --seed 1 | tee /tmp/city_build.out
end=$(date +%s.%N)
{
  echo "== fazhi demo --scale city --today 2025-12-31 --seed 1 on $db =="
  echo "date: $(date -u +%Y-%m-%d)  commit: $(git rev-parse --short HEAD)"
  echo "machine: $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
  printf 'wall time: %.0f s\n' "$(echo "$end - $start" | bc)"
  .venv/bin/python manage.py shell -c "
from fazhi.registers.framework.registry import REGISTRY
from fazhi.core.models import Unit
from django.db import connection
print('units:', Unit.objects.count())
for name, reg in REGISTRY.items():
    print(f'  {name:<20} {reg.model.objects.count():>10,}')
if connection.vendor == 'postgresql':
    with connection.cursor() as c:
        c.execute('SELECT pg_size_pretty(pg_database_size(current_database()))'); print('database size:', c.fetchone()[0])
" 2>/dev/null
  echo
} | tee -a bench/results/city_build.txt
