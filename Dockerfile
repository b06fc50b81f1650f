# guestlist as a container image: a static binary on an empty base,
# running as an unprivileged user, with its data on a volume.
#
#   docker build -t guestlist .
#   docker run -d -p 8080:8080 -v guestlist-data:/data \
#     -e GUESTLIST_BASE_URL=https://login.example.com \
#     -e GUESTLIST_SMTP='smtp+starttls://user:pass@mail.example.com:587' \
#     -e GUESTLIST_OPERATOR_TOKEN=… guestlist
#
# Where no container runtime is available (as in this project's CI),
# cmd/guestlist's TestContainerImageBinary builds the binary with this
# file's `go build` line, checks that it is static, and runs it with this
# file's ENV and HEALTHCHECK command, so a change here is still tested.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# go.mod's toolchain line names the Go release to build with; the go
# command fetches it when the image's is older.
ENV GOTOOLCHAIN=auto
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/guestlist ./cmd/guestlist
RUN mkdir -p /out/data

FROM scratch
# CA certificates for SMTP over TLS and the partners' identity providers.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/guestlist /guestlist
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV GUESTLIST_DATA=/data \
    GUESTLIST_ADDR=0.0.0.0:8080 \
    GUESTLIST_METRICS_ADDR=0.0.0.0:9464 \
    GUESTLIST_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080 9464
# No shell or curl in the image: the binary asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/guestlist", "healthcheck"]
ENTRYPOINT ["/guestlist"]
CMD ["serve"]
