{{/* Names, labels and shared values of the metric-vault chart. */}}

{{- define "mv.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "mv.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/part-of: metric-vault
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector labels of one component: include "mv.selector" (list . "gateway") */}}
{{- define "mv.selector" -}}
app.kubernetes.io/name: {{ index . 1 }}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
{{- end -}}

{{- define "mv.image" -}}
{{- $root := index . 0 -}}
{{- $registry := $root.Values.image.registry | trimSuffix "/" -}}
{{- $repo := printf "%s/%s" $root.Values.image.repository (index . 1) -}}
{{- if $registry }}{{ $repo = printf "%s/%s" $registry $repo }}{{ end -}}
{{- printf "%s:%s" $repo ($root.Values.image.tag | default $root.Chart.AppVersion) -}}
{{- end -}}

{{- define "mv.jobNamespace" -}}
{{- .Values.testRunner.jobNamespace | default .Release.Namespace -}}
{{- end -}}

{{- define "mv.databaseSecret" -}}
{{- if .Values.postgresql.enabled -}}
{{ include "mv.fullname" . }}-database
{{- else -}}
{{ .Values.database.existingSecret | default (printf "%s-database" (include "mv.fullname" .)) }}
{{- end -}}
{{- end -}}

{{- define "mv.databaseSecretKey" -}}
{{- if and (not .Values.postgresql.enabled) .Values.database.existingSecret -}}
{{ .Values.database.existingSecretKey }}
{{- else -}}
DATABASE_URL
{{- end -}}
{{- end -}}

{{/* The PostgreSQL password: given, else the one already stored, else a new random one. */}}
{{- define "mv.postgresPassword" -}}
{{- if .Values.postgresql.password -}}
{{ .Values.postgresql.password }}
{{- else -}}
{{- $secret := lookup "v1" "Secret" .Release.Namespace (printf "%s-database" (include "mv.fullname" .)) -}}
{{- if and $secret (index ($secret.data | default dict) "POSTGRES_PASSWORD") -}}
{{ index $secret.data "POSTGRES_PASSWORD" | b64dec }}
{{- else -}}
{{ randAlphaNum 32 }}
{{- end -}}
{{- end -}}
{{- end -}}
