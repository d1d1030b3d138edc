#!/usr/bin/env bash
# Configuration of the operator when it runs on the host against the development platform
# (make run, make submit). Sourced after common.sh; every variable given a default below is a setting of
# config/.env (config/.env.example documents them).
DEMO_NAMESPACE=${DEMO_NAMESPACE:-demo}
GITHUB_PORT=${GITHUB_PORT:-8090}
OPERATOR_PORT=${OPERATOR_PORT:-8081}
export KUBECONFIG="$IB_KUBECONFIG"
export ASPNETCORE_URLS="http://127.0.0.1:$OPERATOR_PORT"
export GitHub__ApiUrl="http://127.0.0.1:$GITHUB_PORT/"
# The demo's git servers are on loopback; in production the git connector refuses loopback hosts.
export Sources__Git__AllowLoopback=true
# Rootless BuildKit, as in production, with the image made here from Debian's sources. No nixpacks on
# this machine: the fetch image stands in as plan image, so repositories with a Dockerfile build.
export Build__Strategy=buildkit
export Build__Registry="$REGISTRY_ADDR"
export Build__RegistryUsername="$REGISTRY_USER"
export Build__RegistryPassword="$REGISTRY_PASSWORD"
export Build__Images__Fetch=imagebuilder/fetch:dev
export Build__Images__Nixpacks=imagebuilder/fetch:dev
export Build__Images__BuildKit="${BUILDKIT_IMAGE:-$REGISTRY_ADDR/imagebuilder/buildkit:v0.13.2-rootless}"
export Build__ImagePullPolicy=IfNotPresent
# No pod network on the development cluster; its registry speaks plain http.
export Build__HostNetwork=true
export Build__InsecureRegistries__0="$REGISTRY_ADDR"
export RabbitMq__Uri=amqp://guest:guest@127.0.0.1:5672/
export RabbitMq__TargetNamespace="$DEMO_NAMESPACE"
export Controller__LeaderElection__LeaseNamespace="$DEMO_NAMESPACE"
export Retry__BaseDelay=00:00:10
# The read-only build dashboard (docs/dashboard.md) on the operator's port.
export Dashboard__Enabled=true
# Kept apart from the rest of the shared cluster: this operator reconciles only the demo's
# namespace, and make run / make submit use queues of their own, so `make up`'s replicas
# (image-builder.build) and the tests' operators never take the demo's requests, nor it theirs.
export Controller__Namespace="$DEMO_NAMESPACE"
export RabbitMq__BuildQueue=${DEMO_BUILD_QUEUE:-demo.image-builder.build}
export RabbitMq__FailQueue=${DEMO_FAIL_QUEUE:-demo.image-builder.fail}
export RabbitMq__ContainerManagerQueue=${DEMO_CONTAINER_MANAGER_QUEUE:-demo.container-manager.images}
export RabbitMq__KusanaliQueue=${DEMO_KUSANALI_QUEUE:-demo.kusanali.notifications}
