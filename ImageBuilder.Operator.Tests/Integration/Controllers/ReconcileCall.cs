using ImageBuilder.Operator.Controllers;

namespace ImageBuilder.Operator.Tests.Integration.Controllers;

/// <summary>One reconcile the test reconciler ran: the key, the generation it read (null: gone) and whether it was cancelled.</summary>
public sealed record ReconcileCall(ObjectKey Key, long? Generation, bool Cancelled);
