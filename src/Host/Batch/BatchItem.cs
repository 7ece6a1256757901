namespace Ember.Host.Batch;

/// <summary>One item of a job as submitted.</summary>
/// <param name="Index">Its position in the job's <c>requests</c>, from 0.</param>
/// <param name="Body">The item's request body (JSON), as the interactive <c>run</c> route would take it.</param>
/// <param name="ExternalReference">The client's <c>external_reference</c>, returned with the result.</param>
/// <param name="Refused">The result of an item refused at submission (it never runs), or <see langword="null"/>.</param>
public sealed record BatchItem(int Index, string Body, string? ExternalReference, BatchItemResult? Refused = null);
