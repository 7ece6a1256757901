using System.Globalization;

namespace Ember.Models.Lora;

/// <summary>
/// The inputs of a LoRA-capable graph (Ember's own models): every adapter served stacked along one axis of "columns",
/// adapter j owning its own <c>r_j</c> columns, and each row of a step picking its adapter. A projection of x gains
/// <c>((x·A) ⊙ mask)·B</c>, where A stacks every adapter's <c>Aᵀ</c> [input, columns], B every adapter's
/// <c>scale·Bᵀ</c> [columns, output], and mask keeps the columns whose owner is the row's adapter.
/// </summary>
/// <remarks>
/// Every input is an overridable initializer: not fed (ORT GenAI), A and B hold one zero column and no row has an
/// adapter, so the graph is the base model; fed with no row picking an adapter, every delta is an exact zero.
/// </remarks>
public static class LoraGraphInputs
{
    /// <summary>Each row's adapter, int64 [rows]: an owner in <see cref="ColumnOwners"/>, or -1 for none.</summary>
    public const string RowAdapters = "lora_row_adapters";

    /// <summary>The adapter owning each column, int64 [columns].</summary>
    public const string ColumnOwners = "lora_column_owners";

    /// <summary>The symbolic dimension of the columns.</summary>
    public const string ColumnsDimension = "lora_columns";

    /// <summary>The stacked <c>Aᵀ</c> of <paramref name="projection"/> in <paramref name="layer"/>: float32 [input, columns].</summary>
    public static string A(int layer, LoraProjection projection) =>
        string.Create(CultureInfo.InvariantCulture, $"lora.layers.{layer}.{LoraTargetShape.ModuleName(projection)}.A");

    /// <summary>The stacked <c>scale·Bᵀ</c> of <paramref name="projection"/> in <paramref name="layer"/>: float32 [columns, output].</summary>
    public static string B(int layer, LoraProjection projection) =>
        string.Create(CultureInfo.InvariantCulture, $"lora.layers.{layer}.{LoraTargetShape.ModuleName(projection)}.B");
}
