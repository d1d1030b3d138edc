using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Integration.Platform;

[Collection(PlatformCollection.Name)]
public sealed class KubernetesSmokeTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Job_WithInitContainer_CompletesAndTerminationMessageIsReadable()
    {
        var ns = await fixture.CreateNamespaceAsync("smoke-job");
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "smoke" },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        HostNetwork = true,
                        Volumes = [new V1Volume { Name = "work", EmptyDir = new V1EmptyDirVolumeSource() }],
                        InitContainers = [Container("write", "echo from-init > /work/msg")],
                        Containers = [Container("main", "cat /work/msg > /dev/termination-log")],
                    },
                },
            },
        };
        await fixture.Kubernetes.BatchV1.CreateNamespacedJobAsync(job, ns);

        // The Job controller records the outcome after the pod ends: wait on the Job, then read its pod.
        var completed = await WaitForAsync(async () =>
        {
            var current = await fixture.Kubernetes.BatchV1.ReadNamespacedJobAsync("smoke", ns);
            return (current.Status?.Succeeded ?? 0) + (current.Status?.Failed ?? 0) > 0 ? current : null;
        });
        var pod = (await fixture.Kubernetes.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "job-name=smoke")).Items.Single();

        Assert.Equal("Succeeded", pod.Status.Phase);
        Assert.Equal(1, completed.Status.Succeeded);
        Assert.Equal("from-init\n", pod.Status.ContainerStatuses.Single().State.Terminated.Message);
    }

    private static V1Container Container(string name, string script) => new()
    {
        Name = name,
        Image = "imagebuilder/busybox:dev",
        ImagePullPolicy = "Never",
        Command = ["/bin/sh", "-c", script],
        VolumeMounts = [new V1VolumeMount { Name = "work", MountPath = "/work" }],
    };

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(probe))] string what = "")
        where T : class =>
        (await Eventually.ValueAsync(probe, found => found is not null, TimeSpan.FromMinutes(2), what))!;
}
