#!/usr/bin/env bash
# make config: the settings make run, make up and make submit will use, and where each comes from:
# the environment, config/.env (see config/.env.example), or the scripts' default. Reads them as
# those commands do (common.sh loads config/.env, dev-env.sh derives the operator's settings) and
# changes nothing. Only documented names are printed; none is a secret.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/dev-env.sh"
echo "settings file: ${DEV_ENV_FILE:-config/.env}"
for name in $(dev_env_names); do
  if grep -qxF "$name" <<<"$DEV_ENV_FROM_FILE"; then from=${DEV_ENV_FILE:-config/.env}
  elif grep -qxF "$name" <<<"$DEV_ENV_FROM_ENVIRONMENT"; then from=environment
  else from=default; fi
  printf '%-30s %-44s %s\n' "$name" "${!name-(script default)}" "$from"
done
echo
echo "make run / make submit: operator http://127.0.0.1:$OPERATOR_PORT/ watching namespace $Controller__Namespace," \
  "GitHub test server http://127.0.0.1:$GITHUB_PORT/, build queue $RabbitMq__BuildQueue," \
  "answers on $RabbitMq__ContainerManagerQueue"
echo "make up / make down: release image-builder in namespace ${IB_NAMESPACE:-image-builder}," \
  "image ${OPERATOR_IMAGE_REPO:-$REGISTRY_ADDR/image-builder/operator}"
