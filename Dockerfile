# distlab as a container image: the static site, served with the right types and headers, and
# the `distlab` CLI for sweeps (deploy/sweep-job.yaml). No container engine runs on the
# project's own machines: `scripts/check_deploy.py` (in the test command) checks that every file
# this copies exists and that the server config serves wasm as application/wasm.
#
#   docker build -t distlab .
#   docker run --rm -p 8080:8080 distlab        # http://127.0.0.1:8080/

# Stage 1: build the site and the CLI with the project's own scripts.
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# DISTLAB_SETUP=build: the tools the build needs (trunk, wasm-bindgen, wasm-opt), no browser.
RUN DISTLAB_SETUP=build bash scripts/setup.sh \
 && PATH=/src/node_modules/.bin:$PATH TRUNK_SKIP_VERSION_CHECK=true TRUNK_OFFLINE=true trunk build --release \
 && cargo build --release -p distlab-cli

# Stage 2: a small static server (Debian-based, so the CLI built above runs in it too).
FROM nginx:1.27-bookworm
COPY deploy/nginx.conf /etc/nginx/conf.d/default.conf
COPY deploy/headers.conf /etc/nginx/distlab-headers.conf
COPY --from=build /src/dist /usr/share/nginx/html
COPY --from=build /src/target/release/distlab /usr/local/bin/distlab
EXPOSE 8080
