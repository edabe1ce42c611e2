# syntax=docker/dockerfile:1

# The build: the toolchain rust-toolchain.toml names, the dependencies Cargo.lock pins.
# Nothing is needed beyond the image's C compiler (SQLite and aws-lc are compiled from the
# crates; the PDF fonts, templates and migrations are files in the tree).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY rust-toolchain.toml ./
RUN rustup toolchain install
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release -p atrium --locked \
    && cp target/release/atrium /usr/local/bin/atrium

# The runtime: the binary, CA certificates (SMTP and S3 over TLS) and a user without
# privileges. With no DATABASE_URL or ATRIUM_STORAGE_URL, everything lives under /data.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 atrium \
    && useradd --system --uid 10001 --gid atrium --home-dir /data --shell /usr/sbin/nologin atrium \
    && mkdir /data \
    && chown atrium:atrium /data
COPY --from=build /usr/local/bin/atrium /usr/local/bin/atrium
ENV ATRIUM_DATA_DIR=/data
WORKDIR /data
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["atrium"]
CMD ["serve", "--bind", "0.0.0.0:8080"]
