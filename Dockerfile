# Build: a static binary (modernc.org/sqlite is pure Go, so CGO stays off).
FROM golang:1.26.8 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/appointd ./cmd/appointd \
 && mkdir -p /out/data

# Run: nothing but the binary, CA certificates (webhooks over https) and an
# empty data directory owned by the unprivileged user. Zone data is compiled
# into the binary, so the image needs no /usr/share/zoneinfo.
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/appointd /appointd
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/appointd", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/appointd"]
CMD ["serve", "--addr", "0.0.0.0:8080", "--db", "sqlite:/data/appointd.db"]
