namespace Ember.Host.Wire;

/// <summary>The paging information of a Cloudflare list result.</summary>
/// <param name="Count">Items on this page.</param>
/// <param name="Page">The page number, from 1.</param>
/// <param name="PerPage">The page size asked for.</param>
/// <param name="TotalCount">Items on all pages.</param>
public sealed record ResultInfo(int Count, int Page, int PerPage, int TotalCount);
