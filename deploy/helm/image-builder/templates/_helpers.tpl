{{/* Names and labels. */}}
{{- define "image-builder.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "image-builder.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "image-builder.selectorLabels" -}}
app.kubernetes.io/name: {{ include "image-builder.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "image-builder.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "image-builder.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "image-builder.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "image-builder.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "image-builder.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}

{{/* The Secret holding the RabbitMQ URI, and its key; empty when the broker is off. */}}
{{- define "image-builder.rabbitmqSecretName" -}}
{{- if .Values.rabbitmq.existingSecret }}{{ .Values.rabbitmq.existingSecret }}
{{- else if .Values.rabbitmq.uri }}{{ include "image-builder.fullname" . }}-rabbitmq
{{- end }}
{{- end }}

{{- define "image-builder.rabbitmqSecretKey" -}}
{{- if .Values.rabbitmq.existingSecret }}{{ .Values.rabbitmq.existingSecretKey }}{{ else }}uri{{ end }}
{{- end }}

{{/* The Secret holding the registry credentials; empty for an anonymous registry. */}}
{{- define "image-builder.registrySecretName" -}}
{{- if .Values.registry.existingSecret }}{{ .Values.registry.existingSecret }}
{{- else if .Values.registry.username }}{{ include "image-builder.fullname" . }}-registry
{{- end }}
{{- end }}

{{/* The one namespace the operator watches; empty for all namespaces. */}}
{{- define "image-builder.watchNamespace" -}}
{{- if .Values.watchReleaseNamespace }}{{ .Release.Namespace }}{{ else }}{{ .Values.watchNamespace }}{{ end }}
{{- end }}

{{/* Where the bridge creates ImageBuilds: explicit, else the watched namespace, else empty (the operator uses POD_NAMESPACE). */}}
{{- define "image-builder.targetNamespace" -}}
{{- default (include "image-builder.watchNamespace" .) .Values.rabbitmq.targetNamespace }}
{{- end }}

{{/*
The one place where chart values become the operator's configuration: environment variables
named Section__Key, bound by the operator's options classes (Options/*.cs: ControllerOptions,
LeaderElectionOptions, GitHubOptions, RabbitMqOptions, RetryOptions, BuildOptions, SupersedeOptions,
RetentionOptions). Empty
values are left out so the operator's own default applies. Secrets are NOT here: see
"image-builder.secretEnv".
*/}}
{{- define "image-builder.config" -}}
{{- $v := .Values -}}
{{- $c := dict -}}
{{- $_ := set $c "Logging__LogLevel__Default" $v.logLevel -}}
{{- if not $v.devCluster.hostNetwork }}
{{- $_ := set $c "ASPNETCORE_URLS" (printf "http://0.0.0.0:%v" $v.http.port) -}}
{{- end }}
{{- /* Controller (ControllerOptions, LeaderElectionOptions) */ -}}
{{- $_ := set $c "Controller__Namespace" (include "image-builder.watchNamespace" .) -}}
{{- $_ := set $c "Controller__Workers" $v.controller.workers -}}
{{- $_ := set $c "Controller__ResyncPeriod" $v.controller.resyncPeriod -}}
{{- $_ := set $c "Controller__ShutdownTimeout" $v.controller.shutdownTimeout -}}
{{- $le := $v.controller.leaderElection -}}
{{- $_ := set $c "Controller__LeaderElection__Enabled" $le.enabled -}}
{{- $_ := set $c "Controller__LeaderElection__LeaseName" $le.leaseName -}}
{{- $_ := set $c "Controller__LeaderElection__LeaseNamespace" .Release.Namespace -}}
{{- $_ := set $c "Controller__LeaderElection__LeaseDuration" $le.leaseDuration -}}
{{- $_ := set $c "Controller__LeaderElection__RenewDeadline" $le.renewDeadline -}}
{{- $_ := set $c "Controller__LeaderElection__RetryPeriod" $le.retryPeriod -}}
{{- /* GitHub (GitHubOptions) */ -}}
{{- $_ := set $c "GitHub__ApiUrl" $v.github.apiUrl -}}
{{- $_ := set $c "GitHub__Timeout" $v.github.timeout -}}
{{- /* RabbitMq (RabbitMqOptions); the URI is a secret */ -}}
{{- $r := $v.rabbitmq -}}
{{- $_ := set $c "RabbitMq__Enabled" $r.enabled -}}
{{- $_ := set $c "RabbitMq__BuildQueue" $r.queues.build -}}
{{- $_ := set $c "RabbitMq__FailQueue" $r.queues.fail -}}
{{- $_ := set $c "RabbitMq__ContainerManagerQueue" $r.queues.containerManager -}}
{{- $_ := set $c "RabbitMq__KusanaliQueue" $r.queues.kusanali -}}
{{- $_ := set $c "RabbitMq__QueueType" $r.queueType -}}
{{- $_ := set $c "RabbitMq__OnQueueMismatch" $r.onQueueMismatch -}}
{{- $_ := set $c "RabbitMq__Prefetch" $r.prefetch -}}
{{- $_ := set $c "RabbitMq__TargetNamespace" (include "image-builder.targetNamespace" .) -}}
{{- $_ := set $c "RabbitMq__Bridge__Enabled" $r.bridge.enabled -}}
{{- $_ := set $c "RabbitMq__RetryListener__Enabled" $r.retryListener.enabled -}}
{{- /* Retry (RetryOptions) */ -}}
{{- $_ := set $c "Retry__MaxRetries" $v.retry.maxRetries -}}
{{- $_ := set $c "Retry__BaseDelay" $v.retry.baseDelay -}}
{{- $_ := set $c "Retry__MaxDelay" $v.retry.maxDelay -}}
{{- $_ := set $c "Retry__RetryUserFaults" $v.retry.retryUserFaults -}}
{{- range $i, $tier := $v.retry.delayTiers }}
{{- $_ := set $c (printf "Retry__DelayTiers__%d" $i) $tier -}}
{{- end }}
{{- /* Reconcile (ReconcileOptions) and Sources (SourcesOptions) */ -}}
{{- $_ := set $c "Reconcile__MaxConsecutiveErrors" $v.reconcile.maxConsecutiveErrors -}}
{{- $_ := set $c "Reconcile__TokenSecretTimeout" $v.reconcile.tokenSecretTimeout -}}
{{- $_ := set $c "Reconcile__TokenSecretPollInterval" $v.reconcile.tokenSecretPollInterval -}}
{{- /* Supersede (SupersedeOptions) and Retention (RetentionOptions) */ -}}
{{- $_ := set $c "Supersede__Enabled" $v.supersede.enabled -}}
{{- $t := $v.retention -}}
{{- $_ := set $c "Retention__Enabled" $t.enabled -}}
{{- $_ := set $c "Retention__TtlAfterSucceeded" $t.ttlAfterSucceeded -}}
{{- $_ := set $c "Retention__TtlAfterFailed" $t.ttlAfterFailed -}}
{{- $_ := set $c "Retention__SucceededLimit" $t.succeededLimit -}}
{{- $_ := set $c "Retention__FailedLimit" $t.failedLimit -}}
{{- $_ := set $c "Retention__RememberDeleted" $t.rememberDeleted -}}
{{- $g := $v.sources.git -}}
{{- range $i, $host := $g.allowedHosts }}
{{- $_ := set $c (printf "Sources__Git__AllowedHosts__%d" $i) $host -}}
{{- end }}
{{- $_ := set $c "Sources__Git__AllowLoopback" $g.allowLoopback -}}
{{- $_ := set $c "Sources__Git__AllowPrivateNetworks" $g.allowPrivateNetworks -}}
{{- $_ := set $c "Sources__Git__AllowLinkLocal" $g.allowLinkLocal -}}
{{- $_ := set $c "Sources__Git__AllowFileUrls" $g.allowFileUrls -}}
{{- /* Build (BuildOptions); the registry credentials are secrets */ -}}
{{- $b := $v.build -}}
{{- $_ := set $c "Build__Strategy" $b.strategy -}}
{{- $_ := set $c "Build__Images__Fetch" $b.images.fetch -}}
{{- $_ := set $c "Build__Images__Nixpacks" $b.images.nixpacks -}}
{{- $_ := set $c "Build__Images__BuildKit" $b.images.buildKit -}}
{{- $_ := set $c "Build__ImagePullPolicy" $b.imagePullPolicy -}}
{{- $_ := set $c "Build__ImageNameTemplate" $b.imageNameTemplate -}}
{{- $_ := set $c "Build__DefaultTimeout" $b.defaultTimeout -}}
{{- $_ := set $c "Build__PendingTimeout" $b.pendingTimeout -}}
{{- $_ := set $c "Build__HostNetwork" $b.hostNetwork -}}
{{- range $i, $r := $b.insecureRegistries }}
{{- $_ := set $c (printf "Build__InsecureRegistries__%d" $i) $r -}}
{{- end }}
{{- $_ := set $c "Build__Storage__WorkspaceSizeLimit" $b.storage.workspaceSizeLimit -}}
{{- $_ := set $c "Build__Storage__BuildKitSizeLimit" $b.storage.buildKitSizeLimit -}}
{{- $_ := set $c "Build__Storage__RuntimeSizeLimit" $b.storage.runtimeSizeLimit -}}
{{- $_ := set $c "Build__SuccessfulJobsHistoryLimit" $b.successfulJobsHistoryLimit -}}
{{- $_ := set $c "Build__FailedJobsHistoryLimit" $b.failedJobsHistoryLimit -}}
{{- $_ := set $c "Build__MaxConcurrentBuilds" $b.maxConcurrentBuilds -}}
{{- $_ := set $c "Build__MaxConcurrentBuildsPerUser" $b.maxConcurrentBuildsPerUser -}}
{{- range $k, $q := $b.resources.requests }}
{{- $_ := set $c (printf "Build__Resources__Requests__%s" $k) $q -}}
{{- end }}
{{- range $k, $q := $b.resources.limits }}
{{- $_ := set $c (printf "Build__Resources__Limits__%s" $k) $q -}}
{{- end }}
{{- $_ := set $c "Build__Registry" $v.registry.host -}}
{{- $_ := set $c "Build__RegistryScheme" $v.registry.scheme -}}
{{- $_ := set $c "Build__RegistrySecretName" $v.registry.pushSecretName -}}
{{- /* Dashboard (DashboardOptions): written only when on, as off is the operator's default */ -}}
{{- if ($v.dashboard).enabled }}
{{- $_ := set $c "Dashboard__Enabled" true -}}
{{- end }}
{{- range $k, $val := $v.extraConfig }}
{{- $_ := set $c $k $val -}}
{{- end }}
{{- range $k, $val := $c }}
{{- if or (kindIs "bool" $val) (ne (toString $val) "") }}
{{ $k }}: {{ toString $val | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* Env vars from Secrets and the downward API (never in the ConfigMap). */}}
{{- define "image-builder.secretEnv" -}}
# Leader election identity and default namespaces (the host name is the node's under hostNetwork).
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- with .Values.devCluster.apiServer }}
{{- if .host }}
- name: KUBERNETES_SERVICE_HOST
  value: {{ .host | quote }}
- name: KUBERNETES_SERVICE_PORT
  value: {{ .port | toString | quote }}
{{- end }}
{{- end }}
{{- $rabbit := include "image-builder.rabbitmqSecretName" . }}
{{- if and .Values.rabbitmq.enabled $rabbit }}
- name: RabbitMq__Uri
  valueFrom:
    secretKeyRef:
      name: {{ $rabbit }}
      key: {{ include "image-builder.rabbitmqSecretKey" . }}
{{- end }}
{{- $registry := include "image-builder.registrySecretName" . }}
{{- if $registry }}
{{- $userKey := "username" }}
{{- $passwordKey := "password" }}
{{- if .Values.registry.existingSecret }}
{{- $userKey = .Values.registry.usernameKey }}
{{- $passwordKey = .Values.registry.passwordKey }}
{{- end }}
- name: Build__RegistryUsername
  valueFrom:
    secretKeyRef:
      name: {{ $registry }}
      key: {{ $userKey }}
- name: Build__RegistryPassword
  valueFrom:
    secretKeyRef:
      name: {{ $registry }}
      key: {{ $passwordKey }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* An HTTP check: httpGet on the pod network, or probes.exec with the path appended (values-dev.yaml). */}}
{{- define "image-builder.probeAction" -}}
{{- if .root.Values.probes.exec }}
exec:
  command:
    {{- toYaml (append .root.Values.probes.exec .path) | nindent 4 }}
{{- else }}
httpGet:
  path: {{ .path }}
  port: http
{{- end }}
{{- end }}
