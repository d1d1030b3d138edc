namespace ImageBuilder.Operator.Tests.Integration.Controllers;

/// <summary>One notification: add, update, resync or delete.</summary>
public sealed record InformerEvent<T>(string Kind, T? Old, T Current);
