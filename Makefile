# ImageBuilder: make help lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ENV_FILE := /var/lib/imagebuilder/platform.env

.PHONY: help services run up logs down prep test format bench profile memprofile chaos fuzz submit build config devc

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

services: ## install and start the development platform (docker, registry, rabbitmq, kubernetes); idempotent
	@bash scripts/services.sh up

run: ## the main job: operator on the host against the dev cluster, building the sample app end to end
	@bash scripts/run.sh

up: ## helm install the operator into the dev cluster with three replicas on the same queue
	@bash scripts/up.sh

logs: ## tail the logs of the platform services and the operator
	@bash scripts/services.sh logs

down: ## stop what make services/run/up started (by pid) and nothing else
	@bash scripts/undeploy.sh
	@bash scripts/services.sh down

build: ## compile the solution
	@dotnet build ImageBuilder.sln --nologo -v q

format: ## apply dotnet format
	@dotnet format ImageBuilder.sln

prep: ## format check + tests, before you push
	@dotnet format ImageBuilder.sln --verify-no-changes
	@bash scripts/test.sh

test: ## run every test against the real platform (starts it when needed)
	@bash scripts/test.sh

config: ## show the settings make run, up and submit use, and where each comes from (config/.env)
	@bash scripts/config.sh

devc: ## the dev container (.devcontainer/) via the devcontainer CLI; needs a Docker engine that can pull images (not this machine)
	@bash scripts/devc.sh $(ARGS)

submit: ## publish a BuildRequest for the sample repository to the build queue
	@bash scripts/submit.sh

bench: ## run the benchmarks; figures go to bench/results/latest.json
	@bash scripts/bench.sh

profile: ## profile the operator through one bench phase (PHASE=ingest|reconcile-idle|settle) with dotnet-trace; summary to bench/results/profile-PHASE.txt
	@bash bench/profile.sh $(PHASE)

memprofile: ## the operator's memory at 1,000 and 5,000 ImageBuilds: counters, heap dump, to bench/results/memprofile-*.txt
	@bash bench/memprofile.sh

chaos: ## 100 requests while the leader is SIGKILLed and RabbitMQ restarts; figures to bench/results/chaos.json
	@bash scripts/chaos.sh

fuzz: ## fuzz the build-request parser with afl++ and SharpFuzz for FUZZ_SECONDS (default 3600); findings and stats outside the repo
	@bash scripts/fuzz.sh
