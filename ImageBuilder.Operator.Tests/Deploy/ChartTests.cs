using k8s.Models;

namespace ImageBuilder.Operator.Tests.Deploy;

/// <summary>The Helm chart (deploy/helm/image-builder) rendered with helm itself, for production and dev values.</summary>
public sealed class ChartTests
{
    [Fact]
    public void ChartCrds_SameFilesAsDeployCrds()
    {
        var source = Path.Combine(Helm.RepoRoot, "deploy", "crds");
        var copy = Path.Combine(Helm.ChartDir, "crds");
        var sourceFiles = Directory.GetFiles(source, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var copyFiles = Directory.GetFiles(copy, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(sourceFiles);
        Assert.Equal(sourceFiles, copyFiles);
        foreach (var name in sourceFiles)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(source, name!)).SequenceEqual(File.ReadAllBytes(Path.Combine(copy, name!))),
                $"deploy/helm/image-builder/crds/{name} differs from deploy/crds/{name}, the source of truth: copy it over and commit both");
        }
    }

    [Fact]
    public async Task Lint_DefaultValuesWithThePlatformsImages_Passes()
    {
        var result = await Helm.RunAsync("lint", Helm.ChartDir, "--strict", "-f", Helm.PlatformImages);

        Assert.True(result.Succeeded, result.ToString());
    }

    [Theory]
    [InlineData("fetch")]
    [InlineData("nixpacks")]
    public async Task Template_BuildImageNotSet_FailsSchemaValidation(string image)
    {
        // No default names an image that nobody publishes: the platform builds these from deploy/images/.
        var other = image == "fetch" ? "nixpacks" : "fetch";
        var result = await Helm.RunAsync("template", "x", Helm.ChartDir, "--set", $"build.images.{other}=registry.example.test/x:1");

        Assert.False(result.Succeeded, $"build.images.{image} left empty must not render");
        Assert.Contains($"/build/images/{image}", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_AnyValues_NoBuildSettingMentionsTheDockerSocket()
    {
        var production = await Helm.TemplateAsync();
        var dev = await Helm.TemplateAsync("-f", Helm.DevValues);

        foreach (var config in new[] { production, dev }.Select(m => m.Single<V1ConfigMap>("ConfigMap").Data))
        {
            Assert.DoesNotContain(config, p => p.Value.Contains("docker.sock", StringComparison.Ordinal) || p.Key.Contains("Docker", StringComparison.Ordinal));
            Assert.Equal("buildkit", config["Build__Strategy"]);
        }
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Helm.RepoRoot, "deploy"), "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(Helm.RepoRoot, "config"), "*", SearchOption.AllDirectories))
            .Append(Path.Combine(Helm.RepoRoot, "scripts", "dev-env.sh")))
        {
            Assert.False((await File.ReadAllTextAsync(file)).Contains("docker.sock", StringComparison.Ordinal), $"{file} mentions docker.sock");
        }
    }

    [Fact]
    public async Task Lint_DevValues_Passes()
    {
        var result = await Helm.RunAsync("lint", Helm.ChartDir, "--strict", "-f", Helm.DevValues);

        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public async Task Template_DefaultValues_RendersRestrictedDeploymentWithHttpProbes()
    {
        var manifests = await Helm.TemplateAsync();

        var deployment = manifests.Single<V1Deployment>("Deployment");
        var pod = deployment.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.Equal(3, deployment.Spec.Replicas);
        Assert.NotEqual(true, pod.HostNetwork);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.Contains(container.VolumeMounts, m => m.MountPath == "/tmp");
        Assert.Contains(pod.Volumes, v => v.EmptyDir is not null);
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("http", container.ReadinessProbe.HttpGet.Port.Value);
        Assert.Equal(8080, Assert.Single(container.Ports).ContainerPort);
        Assert.Null(container.Command);
    }

    [Fact]
    public async Task Template_HostNetworkWithoutProbeCommand_FailsNamingWhatToSet()
    {
        // Under hostNetwork no port is declared, so httpGet probes would have nothing to call.
        var result = await Helm.RunAsync("template", "x", Helm.ChartDir, "-f", Helm.PlatformImages, "--set", "devCluster.hostNetwork=true");

        Assert.False(result.Succeeded, "hostNetwork without probes.exec must not render");
        Assert.Contains("set command and probes.exec", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void ChartTemplates_CarryNoShellScript()
    {
        // The development cluster's start wrapper and probe command live in values-dev.yaml, not in what production installs.
        var templates = Directory.GetFiles(Path.Combine(Helm.ChartDir, "templates"));

        Assert.NotEmpty(templates);
        Assert.All(templates, file => Assert.DoesNotContain("/bin/sh", File.ReadAllText(file), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Template_DefaultValues_RendersMetricsServiceAndLeaderElectionDefaults()
    {
        var manifests = await Helm.TemplateAsync();

        var service = manifests.Single<V1Service>("Service");
        var config = manifests.Single<V1ConfigMap>("ConfigMap").Data;
        Assert.Equal("http", service.Spec.Ports.Single().TargetPort.Value);
        Assert.Equal("http://0.0.0.0:8080", config["ASPNETCORE_URLS"]);
        Assert.Equal("true", config["Controller__LeaderElection__Enabled"]);
        Assert.Equal("image-builder", config["Controller__LeaderElection__LeaseNamespace"]);
        Assert.Equal("buildkit", config["Build__Strategy"]);
        Assert.Equal("image-builder.build", config["RabbitMq__BuildQueue"]);
        Assert.False(config.ContainsKey("Controller__Namespace"), "an empty watch namespace must leave the operator's default (all namespaces)");
    }

    [Fact]
    public async Task Template_DefaultValues_GrantsLeastPrivilege()
    {
        var manifests = await Helm.TemplateAsync();

        var rules = manifests.Single<V1ClusterRole>("ClusterRole").Rules;
        // delete: retention removes finished ImageBuilds.
        Assert.Equal(["get", "list", "watch", "create", "update", "patch", "delete"], Verbs(rules, "imagebuilds"));
        Assert.Equal(["get", "update", "patch"], Verbs(rules, "imagebuilds/status"));
        Assert.Equal(["get", "list", "watch", "create", "delete"], Verbs(rules, "jobs"));
        Assert.Equal(["get", "list", "watch"], Verbs(rules, "pods"));
        // By name only: the operator never lists or watches Secrets, so it cannot enumerate them.
        Assert.Equal(["get", "create", "update", "patch", "delete"], Verbs(rules, "secrets"));
        Assert.Equal(["create", "patch"], Verbs(rules, "events"));
        // The notification-order and retired-names ConfigMaps, by name; list and watch for the bridge's watched copy of the
        // retired names (field selector on its one name).
        Assert.Equal(["get", "list", "watch", "create", "update"], Verbs(rules, "configmaps"));
        Assert.DoesNotContain(rules, r => r.Resources.Contains("namespaces") || r.Resources.Contains("leases") || r.Resources.Contains("*") || r.Verbs.Contains("*"));

        var election = Assert.Single(manifests.All<V1Role>("Role"));
        Assert.Equal("image-builder", election.Metadata.NamespaceProperty);
        Assert.All(election.Rules, r => Assert.Equal(["leases"], r.Resources));
        Assert.Contains(election.Rules, r => r.ResourceNames?.SequenceEqual(["image-builder-leader"]) == true && r.Verbs.SequenceEqual(["get", "update", "delete"]));
    }

    [Fact]
    public async Task Template_DevValues_RendersHostNetworkExecProbesAndLoopbackApiServer()
    {
        var manifests = await Helm.TemplateAsync("-f", Helm.DevValues);

        var pod = manifests.Single<V1Deployment>("Deployment").Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        var env = container.Env.ToDictionary(e => e.Name);
        Assert.True(pod.HostNetwork);
        Assert.Equal("127.0.0.1", env["KUBERNETES_SERVICE_HOST"].Value);
        Assert.Equal("6443", env["KUBERNETES_SERVICE_PORT"].Value);
        Assert.Equal("metadata.name", env["POD_NAME"].ValueFrom.FieldRef.FieldPath);
        Assert.Null(container.ReadinessProbe.HttpGet);
        Assert.Contains("/tmp/http-port", container.ReadinessProbe.Exec.Command[^2]);
        Assert.Equal("/readyz", container.ReadinessProbe.Exec.Command.Last());
        Assert.Equal("/healthz", container.LivenessProbe.Exec.Command.Last());
        Assert.Contains("ASPNETCORE_URLS=\"http://127.0.0.1:$port\"", container.Command.Last());
        Assert.Null(container.Ports);
        Assert.DoesNotContain("Service", manifests.Kinds);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
    }

    [Fact]
    public async Task Template_DevValues_ConfiguresRootlessBuildKitAndLoopbackServices()
    {
        var manifests = await Helm.TemplateAsync("-f", Helm.DevValues);

        var config = manifests.Single<V1ConfigMap>("ConfigMap").Data;
        Assert.Equal("buildkit", config["Build__Strategy"]);
        Assert.Equal("imagebuilder/fetch:dev", config["Build__Images__Fetch"]);
        Assert.Equal("127.0.0.1:5000/imagebuilder/buildkit:v0.13.2-rootless", config["Build__Images__BuildKit"]);
        Assert.Equal("true", config["Build__HostNetwork"]);
        Assert.Equal("127.0.0.1:5000", config["Build__InsecureRegistries__0"]);
        Assert.Equal("127.0.0.1:5000", config["Build__Registry"]);
        Assert.Equal("http://127.0.0.1:8090/", config["GitHub__ApiUrl"]);
        Assert.False(config.ContainsKey("ASPNETCORE_URLS"), "under hostNetwork the start wrapper picks the URL");
        var image = manifests.Single<V1Deployment>("Deployment").Spec.Template.Spec.Containers.Single().Image;
        Assert.StartsWith("127.0.0.1:5000/image-builder/operator:", image, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_Secrets_StayOutOfTheConfigMap()
    {
        var manifests = await Helm.TemplateAsync("-f", Helm.DevValues,
            "--set", "registry.existingSecret=", "--set", "registry.username=pusher", "--set", "registry.password=s3cret-pw");

        var config = manifests.Single<V1ConfigMap>("ConfigMap");
        var env = manifests.Single<V1Deployment>("Deployment").Spec.Template.Spec.Containers.Single().Env.ToDictionary(e => e.Name);
        Assert.DoesNotContain("s3cret-pw", string.Join('\n', config.Data.Values), StringComparison.Ordinal);
        Assert.DoesNotContain("guest:guest", string.Join('\n', config.Data.Values), StringComparison.Ordinal);
        Assert.Equal("image-builder-rabbitmq", env["RabbitMq__Uri"].ValueFrom.SecretKeyRef.Name);
        Assert.Equal("image-builder-registry", env["Build__RegistryPassword"].ValueFrom.SecretKeyRef.Name);
        Assert.Equal(2, manifests.All<V1Secret>("Secret").Count);
    }

    [Fact]
    public async Task Template_RabbitMqExistingSecret_ReadsUriFromItAndCreatesNoSecret()
    {
        var manifests = await Helm.TemplateAsync("--set", "rabbitmq.existingSecret=broker", "--set", "rabbitmq.existingSecretKey=amqp-uri");

        var uri = manifests.Single<V1Deployment>("Deployment").Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "RabbitMq__Uri");
        Assert.Equal("broker", uri.ValueFrom.SecretKeyRef.Name);
        Assert.Equal("amqp-uri", uri.ValueFrom.SecretKeyRef.Key);
        Assert.Empty(manifests.All<V1Secret>("Secret"));
    }

    [Fact]
    public async Task Template_WatchNamespace_RendersRoleInThatNamespaceAndNoClusterRole()
    {
        var manifests = await Helm.TemplateAsync("--set", "watchNamespace=builds");

        var roles = manifests.All<V1Role>("Role");
        var config = manifests.Single<V1ConfigMap>("ConfigMap").Data;
        Assert.DoesNotContain("ClusterRole", manifests.Kinds);
        Assert.Contains(roles, r => r.Metadata.NamespaceProperty == "builds" && r.Rules.Any(rule => rule.Resources.Contains("imagebuilds")));
        Assert.Equal("builds", config["Controller__Namespace"]);
        Assert.Equal("builds", config["RabbitMq__TargetNamespace"]);
    }

    [Fact]
    public async Task Template_DevValuesInAnyNamespace_WatchOnlyTheReleaseNamespace()
    {
        var manifests = await Helm.TemplateAsync("-f", Helm.DevValues, "--namespace", "team-a", "--set", "watchNamespace=ignored");

        var config = manifests.Single<V1ConfigMap>("ConfigMap").Data;
        Assert.DoesNotContain("ClusterRole", manifests.Kinds);
        Assert.All(manifests.All<V1Role>("Role"), r => Assert.Equal("team-a", r.Metadata.NamespaceProperty));
        Assert.Equal("team-a", config["Controller__Namespace"]);
        Assert.Equal("team-a", config["RabbitMq__TargetNamespace"]);
        Assert.Equal("team-a", config["Controller__LeaderElection__LeaseNamespace"]);
    }

    [Fact]
    public async Task Template_DelayTiersAndResources_BecomeIndexedAndKeyedEnvVars()
    {
        var manifests = await Helm.TemplateAsync("--set", "retry.delayTiers={00:00:05,00:02:00}", "--set", "build.resources.limits.cpu=2");

        var config = manifests.Single<V1ConfigMap>("ConfigMap").Data;
        Assert.Equal("00:00:05", config["Retry__DelayTiers__0"]);
        Assert.Equal("00:02:00", config["Retry__DelayTiers__1"]);
        Assert.Equal("2", config["Build__Resources__Limits__cpu"]);
    }

    [Fact]
    public async Task Template_KubernetesBefore121_RendersPodDisruptionBudgetV1beta1()
    {
        var old = await Helm.TemplateAsync("--kube-version", "1.20.2");
        var current = await Helm.TemplateAsync("--kube-version", "1.30.0");

        Assert.Equal("policy/v1beta1", old.ApiVersionOf("PodDisruptionBudget"));
        Assert.Equal("policy/v1", current.ApiVersionOf("PodDisruptionBudget"));
    }

    [Fact]
    public async Task Template_WrongStrategyInValuesFile_FailsSchemaValidation()
    {
        var values = Path.Combine(Path.GetTempPath(), $"ib-values-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(values, "build:\n  strategy: kaniko\n");
        try
        {
            var result = await Helm.RenderAsync("-f", values);

            Assert.False(result.Succeeded, "a strategy outside the enum must not render");
            Assert.Contains("/build/strategy", result.StdErr, StringComparison.Ordinal);
            Assert.Contains("buildkit", result.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(values);
        }
    }

    [Theory]
    [InlineData("typo=1", "typo")]
    [InlineData("replicaCount=0", "/replicaCount")]
    [InlineData("registry.host=https://registry.example.com", "/registry/host")]
    [InlineData("controller.resyncPeriod=5m", "/controller/resyncPeriod")]
    [InlineData("rabbitmq.queueType=stream", "/rabbitmq/queueType")]
    [InlineData("build.strategy=docker", "/build/strategy")]
    [InlineData("build.insecureRegistries={http://registry.example.test}", "/build/insecureRegistries/0")]
    [InlineData("build.storage.buildKitSizeLimit=lots", "/build/storage/buildKitSizeLimit")]
    [InlineData("observability.prometheusRule.buildsFailing.ratio=1.5", "/observability/prometheusRule/buildsFailing/ratio")]
    [InlineData("observability.prometheusRule.noLeader.for=5 minutes", "/observability/prometheusRule/noLeader/for")]
    [InlineData("observability.grafanaDashboard.typo=1", "typo")]
    public async Task Template_InvalidValue_FailsSchemaValidation(string set, string path)
    {
        var result = await Helm.RenderAsync("--set", set);

        Assert.False(result.Succeeded, $"--set {set} must not render");
        Assert.Contains(path, result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_DefaultValues_RendersNoObservabilityObjects()
    {
        var manifests = await Helm.TemplateAsync("--api-versions", "monitoring.coreos.com/v1");

        Assert.DoesNotContain("ServiceMonitor", manifests.Kinds);
        Assert.DoesNotContain("PrometheusRule", manifests.Kinds);
        Assert.DoesNotContain(manifests.All<V1ConfigMap>("ConfigMap"), c => c.Metadata.Name.EndsWith("-dashboard", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Template_ObservabilityOnWithMonitoringApi_ServiceMonitorScrapesTheMetricsServicePort()
    {
        var manifests = await Helm.TemplateAsync([.. ObservabilityOn, "--api-versions", "monitoring.coreos.com/v1"]);

        var monitor = manifests.Single<MonitoringObject>("ServiceMonitor");
        var service = manifests.Single<V1Service>("Service");
        var endpoint = Assert.Single(monitor.Spec.Endpoints!);
        Assert.Equal(service.Spec.Ports.Single().Name, endpoint.Port);
        Assert.Equal("/metrics", endpoint.Path);
        Assert.Equal("30s", endpoint.Interval);
        Assert.All(monitor.Spec.Selector!.MatchLabels, l => Assert.Equal(l.Value, service.Metadata.Labels[l.Key]));
        Assert.Equal("kube-prometheus", monitor.Metadata.Labels["release"]);
    }

    [Fact]
    public async Task Template_ObservabilityOnWithMonitoringApi_PrometheusRuleHoldsTheFiveAlerts()
    {
        var manifests = await Helm.TemplateAsync([.. ObservabilityOn, "--api-versions", "monitoring.coreos.com/v1"]);

        var rule = manifests.Single<MonitoringObject>("PrometheusRule");
        var group = Assert.Single(rule.Spec.Groups!);
        Assert.Equal(
            ["ImageBuilderBuildsFailing", "ImageBuilderBuildQueueBacklogGrowing", "ImageBuilderNoLeader", "ImageBuilderBuildStuckPending", "ImageBuilderBuildRequestsStuckQueued"],
            group.Rules.Select(r => r.Alert));
        Assert.All(group.Rules, r => Assert.Contains("imagebuilder_", r.Expr, StringComparison.Ordinal));
        Assert.Equal("kube-prometheus", rule.Metadata.Labels["release"]);
    }

    [Fact]
    public async Task Template_ObservabilityOnWithoutMonitoringApi_RendersOnlyTheDashboard()
    {
        var manifests = await Helm.TemplateAsync(ObservabilityOn);

        Assert.DoesNotContain("ServiceMonitor", manifests.Kinds);
        Assert.DoesNotContain("PrometheusRule", manifests.Kinds);
        var dashboard = manifests.All<V1ConfigMap>("ConfigMap").Single(c => c.Metadata.Name == "image-builder-dashboard");
        Assert.Equal("1", dashboard.Metadata.Labels["grafana_dashboard"]);
        Assert.Equal("image-builder", dashboard.Metadata.NamespaceProperty);
        var json = dashboard.Data["image-builder.json"];
        Assert.Equal(File.ReadAllText(Path.Combine(Helm.ChartDir, "files", "dashboard.json")).TrimEnd('\n'), json);
        using var parsed = System.Text.Json.JsonDocument.Parse(json);
        Assert.True(parsed.RootElement.GetProperty("panels").GetArrayLength() > 5);
    }

    [Fact]
    public async Task Template_DashboardNamespace_PutsTheConfigMapWhereGrafanaLooks()
    {
        var manifests = await Helm.TemplateAsync("--set", "observability.grafanaDashboard.enabled=true", "--set", "observability.grafanaDashboard.namespace=monitoring");

        var dashboard = manifests.All<V1ConfigMap>("ConfigMap").Single(c => c.Metadata.Name == "image-builder-dashboard");
        Assert.Equal("monitoring", dashboard.Metadata.NamespaceProperty);
    }

    [Fact]
    public async Task Template_AlertThresholdValues_ReachTheRules()
    {
        var manifests = await Helm.TemplateAsync(
            "--api-versions", "monitoring.coreos.com/v1", "--set", "observability.prometheusRule.enabled=true",
            "--set", "observability.prometheusRule.buildsFailing.ratio=0.25", "--set", "observability.prometheusRule.buildsFailing.fault=service",
            "--set", "observability.prometheusRule.stuckPending.minutes=30", "--set", "observability.prometheusRule.noLeader.for=2m",
            "--set", "observability.prometheusRule.alertLabels.team=builds");

        var rules = Assert.Single(manifests.Single<MonitoringObject>("PrometheusRule").Spec.Groups!).Rules.ToDictionary(r => r.Alert!);
        Assert.Contains("outcome=\"failed\",fault=\"service\"", rules["ImageBuilderBuildsFailing"].Expr, StringComparison.Ordinal);
        Assert.Contains(") > 0.25", rules["ImageBuilderBuildsFailing"].Expr, StringComparison.Ordinal);
        Assert.EndsWith("> 1800", rules["ImageBuilderBuildStuckPending"].Expr, StringComparison.Ordinal);
        Assert.Equal("2m", rules["ImageBuilderNoLeader"].For);
        Assert.All(rules.Values, r => Assert.Equal("builds", r.Labels["team"]));
        Assert.Equal("critical", rules["ImageBuilderNoLeader"].Labels["severity"]);
    }

    [Fact]
    public async Task Template_ServiceMonitorWithDevValues_FailsSayingItNeedsTheMetricsService()
    {
        var result = await Helm.RunAsync("template", "x", Helm.ChartDir, "-f", Helm.DevValues,
            "--api-versions", "monitoring.coreos.com/v1", "--set", "observability.serviceMonitor.enabled=true");

        Assert.False(result.Succeeded, "a ServiceMonitor without the metrics Service would scrape nothing");
        Assert.Contains("metrics.service.enabled", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_ObservabilityOn_Passes()
    {
        var result = await Helm.RunAsync(["lint", Helm.ChartDir, "--strict", "-f", Helm.PlatformImages, .. ObservabilityOn]);

        Assert.True(result.Succeeded, result.ToString());
    }

    private static readonly string[] ObservabilityOn =
    [
        "--set", "observability.serviceMonitor.enabled=true", "--set", "observability.serviceMonitor.labels.release=kube-prometheus",
        "--set", "observability.prometheusRule.enabled=true", "--set", "observability.prometheusRule.labels.release=kube-prometheus",
        "--set", "observability.grafanaDashboard.enabled=true",
    ];

    private static List<string> Verbs(IEnumerable<V1PolicyRule> rules, string resource) =>
        rules.Where(r => r.Resources.Contains(resource)).SelectMany(r => r.Verbs).ToList();
}
