# The ingressguard image for builders with a Docker engine and a registry. It is the same image as
# `make image` (which builds it offline with umoci): the build stage compiles the binary and assembles the
# root filesystem with scripts/build_image.sh; the final image holds only that (no shell, user 65532).
#   docker build -t ghcr.io/ingressguard/ingressguard:0.1.0 .
FROM debian:bookworm AS build
# kubectl for `scan --cluster` and kustomize overlays: the Kubernetes project's static release binary,
# checked against its published SHA-256.
ARG KUBECTL_VERSION=v1.32.4
WORKDIR /src
COPY . .
RUN scripts/bootstrap.sh --build \
 && arch=$(dpkg --print-architecture) \
 && curl -fsSLo /usr/local/bin/kubectl "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${arch}/kubectl" \
 && echo "$(curl -fsSL "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${arch}/kubectl.sha256")  /usr/local/bin/kubectl" \
    | sha256sum --check \
 && chmod 755 /usr/local/bin/kubectl \
 && cmake -S . -B build -G Ninja -DIG_TESTS=OFF \
 && cmake --build build -j"$(nproc)" --target ingressguard \
 && scripts/build_image.sh --rootfs-only build /image

FROM scratch
COPY --from=build /image/rootfs/ /
USER 65532:65532
WORKDIR /work
ENV PATH=/usr/local/bin
EXPOSE 8443
ENTRYPOINT ["/usr/local/bin/ingressguard"]
CMD ["--help"]
LABEL org.opencontainers.image.title="ingressguard" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.base.name="scratch"
