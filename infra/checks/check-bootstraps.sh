#!/bin/sh
# usage: check-bootstraps.sh DIR FUNCTION...
# Each DIR/<fn>/bootstrap exists, is an executable ELF, and needs no glibc newer than
# provided.al2023's (2.34).
set -eu
dir=$1; shift
max_glibc=2.34
fail=0
for f in "$@"; do
  b="$dir/$f/bootstrap"
  if [ ! -x "$b" ]; then echo "FAIL $f: no executable $b"; fail=1; continue; fi
  need=$(readelf --version-info "$b" 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
  newest=$(printf '%s\n%s\n' "${need:-0}" "$max_glibc" | sort -V | tail -n1)
  size=$(wc -c < "$b")
  if [ "$newest" != "$max_glibc" ]; then
    echo "FAIL $f: needs GLIBC_$need, provided.al2023 has $max_glibc"; fail=1
  else
    echo "ok   $f: $(( size / 1024 )) KiB, newest glibc symbol ${need:-none}"
  fi
done
exit $fail
