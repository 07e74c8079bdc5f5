#!/usr/bin/env bash
# Installs everything aix needs to build and test, from Debian 12 packages.
# Run as root (or with sudo). Safe to run again.
set -euo pipefail
packages=(
  # build
  bazel-bootstrap g++ pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libre2-dev
  libabsl-dev libcurl4-openssl-dev libyaml-cpp-dev libcli11-dev
  nlohmann-json3-dev libsystemd-dev libexpat1-dev libarchive-dev libmicrohttpd-dev libsqlite3-dev libedit-dev
  libcmark-gfm-dev libssl-dev git
  # tests, sanitizers, benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev
  systemd util-linux procps python3 python3-grpcio curl openssl hyperfine nghttp2-server
  bash zsh fish
  # the web page's browser tests (Debian's chromium, headless, driven by puppeteer-core)
  chromium fonts-dejavu-core
)
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (sudo $0)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# Node.js runs the official openai and @anthropic-ai/sdk npm packages against aixd's endpoint
# (tests/endpoint). A machine with Node.js from elsewhere keeps it.
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
echo "install-deps: ${#packages[@]} packages present"
