{{/* Chart name, overridable. */}}
{{- define "chat-relay.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's resources: the release name, plus the chart name unless the release
name already contains it. Truncated to 63 characters, the limit of a DNS label.
*/}}
{{- define "chat-relay.fullname" -}}
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

{{- define "chat-relay.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "chat-relay.labels" -}}
helm.sh/chart: {{ include "chat-relay.chart" . }}
{{ include "chat-relay.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the service's pods; they must never change between upgrades. */}}
{{- define "chat-relay.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chat-relay.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "chat-relay.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "chat-relay.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image of the chosen flavour. */}}
{{- define "chat-relay.image" -}}
{{- $flavour := index .Values.image .Values.image.flavour }}
{{- printf "%s:%s" $flavour.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
JAVA_OPTS_APPEND of src/main/docker/Dockerfile.jvm. Setting the variable in the pod replaces the
image's value, so a heap override has to repeat it whole, or the jvm.options file would be dropped.
*/}}
{{- define "chat-relay.jvmOptsAppend" -}}
@/deployments/jvm.options -Dquarkus.http.host=0.0.0.0 -Djava.util.logging.manager=org.jboss.logmanager.LogManager
{{- end }}

{{- define "chat-relay.usesPostgres" -}}
{{- if and .Values.config.persistTranscripts (hasPrefix "jdbc:postgresql:" .Values.config.dbUrl) }}true{{ end }}
{{- end }}

{{- define "chat-relay.usesFileJson" -}}
{{- if and .Values.config.persistTranscripts (hasPrefix "filejson:" .Values.config.dbUrl) }}true{{ end }}
{{- end }}

{{/* Directory of a filejson: DB_URL; the mount needs an absolute path, the image's working directory differs per flavour. */}}
{{- define "chat-relay.fileJsonDir" -}}
{{- $dir := trimPrefix "filejson:" .Values.config.dbUrl }}
{{- if not (isAbs $dir) }}
{{- fail (printf "config.dbUrl: the filejson directory must be an absolute path, e.g. filejson:/data/transcripts (got %q)" $dir) }}
{{- end }}
{{- clean $dir }}
{{- end }}

{{/*
Seconds of a Quarkus duration (`25`, `500ms`, `25s`, `1m`, `1h`, `PT1M30S`), rounded up, for the
check of the termination grace period.
*/}}
{{- define "chat-relay.durationSeconds" -}}
{{- $d := toString . }}
{{- if regexMatch "^[0-9]+$" $d }}
{{- $d }}
{{- else if regexMatch "^[0-9]+ms$" $d }}
{{- $ms := trimSuffix "ms" $d | int64 }}
{{- div (add $ms 999) 1000 }}
{{- else if regexMatch "^[0-9]+s$" $d }}
{{- trimSuffix "s" $d }}
{{- else if regexMatch "^[0-9]+m$" $d }}
{{- mul (trimSuffix "m" $d | int64) 60 }}
{{- else if regexMatch "^[0-9]+h$" $d }}
{{- mul (trimSuffix "h" $d | int64) 3600 }}
{{- else if regexMatch "^PT([0-9]+H)?([0-9]+M)?([0-9]+S)?$" $d }}
{{- $h := regexFind "[0-9]+H" $d | trimSuffix "H" | default "0" | int64 }}
{{- $m := regexFind "[0-9]+M" $d | trimSuffix "M" | default "0" | int64 }}
{{- $s := regexFind "[0-9]+S" $d | trimSuffix "S" | default "0" | int64 }}
{{- add (mul $h 3600) (mul $m 60) $s }}
{{- else }}
{{- fail (printf "cannot read the duration %q: use a number of seconds, 500ms, 25s, 1m, 1h or PT1M30S" $d) }}
{{- end }}
{{- end }}

{{/*
Seconds Quarkus' shutdown may take: the drain, the final writes of aborted turns and the last try
of the writes waiting for the database (DB_TIMEOUT each), and 5 s for the rest.
*/}}
{{- define "chat-relay.shutdownSeconds" -}}
{{- $drain := include "chat-relay.durationSeconds" .Values.config.shutdownDrainTimeout | int64 }}
{{- $db := include "chat-relay.durationSeconds" .Values.config.dbTimeout | int64 }}
{{- add $drain (mul 2 $db) 5 }}
{{- end }}

{{/*
Checks between values that the schema cannot express. Included by the Deployment, so that any
render (install, upgrade, template, lint) stops with a message naming the value to change.
*/}}
{{- define "chat-relay.validate" -}}
{{- $drain := include "chat-relay.durationSeconds" .Values.config.shutdownDrainTimeout | int64 }}
{{- $preStop := .Values.preStopSleepSeconds | int64 }}
{{- $grace := .Values.terminationGracePeriodSeconds | int64 }}
{{- $needed := add $preStop (include "chat-relay.shutdownSeconds" . | int64) }}
{{- if le $grace $needed }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed preStopSleepSeconds (%d) + SHUTDOWN_DRAIN_TIMEOUT (%ds) + 2 x DB_TIMEOUT + 5s for the final writes and Quarkus' shutdown, i.e. be at least %d" $grace $preStop $drain (add $needed 1)) }}
{{- end }}
{{- if and (not .Values.upstream.existingSecret) (not .Values.upstream.keyless) }}
{{- fail "upstream.existingSecret: name the Secret that holds the provider key (OPENAI_API_KEY), or set upstream.keyless=true for a provider that needs none" }}
{{- end }}
{{- if and (include "chat-relay.usesPostgres" .) (not .Values.database.existingSecret) }}
{{- fail "database.existingSecret: name the Secret with the database credentials (DB_USER, DB_PASSWORD), e.g. the app Secret of a CloudNativePG cluster" }}
{{- end }}
{{- if include "chat-relay.usesFileJson" . }}
{{- $_ := include "chat-relay.fileJsonDir" . }}
{{- if or .Values.autoscaling.enabled (gt (.Values.replicas | int) 1) }}
{{- fail "a filejson: DB_URL is for a single instance (two processes on one directory overwrite each other's files): set replicas=1 and autoscaling.enabled=false, or use PostgreSQL" }}
{{- end }}
{{- end }}
{{- if and (eq .Values.auth.mode "api-key") (not .Values.auth.apiKeys.existingSecret) }}
{{- fail "auth.apiKeys.existingSecret: name the Secret holding the API keys file (lines <subject>:<sha256 hex of the key>) for auth.mode=api-key" }}
{{- end }}
{{- if and (eq .Values.auth.mode "jwt") (not .Values.auth.jwt.publicKeyLocation) }}
{{- fail "auth.jwt.publicKeyLocation: give the issuer's JWKS URL or key file for auth.mode=jwt" }}
{{- end }}
{{- $np := .Values.networkPolicy }}
{{- if and $np.enabled (not $np.ingress.allowFromAnywhere) (not $np.ingress.namespaces) (not $np.ingress.from) }}
{{- fail "networkPolicy.ingress: name who may connect to the service (namespaces, e.g. the ingress controller's and Prometheus', or from: NetworkPolicyPeer entries), or set networkPolicy.ingress.allowFromAnywhere=true to admit any peer on port 8080" }}
{{- end }}
{{- if and .Values.otel.enabled (not .Values.otel.endpoint) }}
{{- fail "otel.endpoint: the OTLP endpoint is required when otel.enabled is true" }}
{{- end }}
{{- end }}

{{/*
Where the API keys Secret is mounted (read-only) for auth.mode=api-key.
*/}}
{{- define "chat-relay.authDir" -}}
/etc/chat-relay/auth
{{- end }}
