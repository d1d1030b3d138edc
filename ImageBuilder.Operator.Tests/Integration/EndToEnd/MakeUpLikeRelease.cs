namespace ImageBuilder.Operator.Tests.Integration.EndToEnd;

/// <summary>
/// The chart installed the way <c>make up</c> installs it where <c>make run</c> could meet it: replicas
/// consuming the operator's default queues (<c>image-builder.build</c>, ...). Its own namespace, Lease and
/// GitHub test server as every <see cref="OperatorRelease"/>; the shared queue names are left in place on dispose.
/// </summary>
public sealed class MakeUpLikeRelease(PlatformFixture platform) : OperatorRelease(platform, BackendQueues.Defaults(platform.AmqpUri));
