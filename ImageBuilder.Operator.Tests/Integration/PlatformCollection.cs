namespace ImageBuilder.Operator.Tests.Integration;

/// <summary>Every test on real services shares one <see cref="PlatformFixture"/>: the platform is brought up once.</summary>
[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}
