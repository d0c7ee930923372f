namespace ViTok.Data;

/// <summary>One undecoded sample of a streaming source: the members of a WebDataset key (extension → bytes).</summary>
/// <param name="Source">Shard path and key, for messages.</param>
/// <param name="Key">The WebDataset key (member path up to the first dot of its file name).</param>
/// <param name="Members">Member bytes by lower-case extension (<c>jpg</c>, <c>cls</c>, …).</param>
public sealed record RawItem(string Source, string Key, IReadOnlyDictionary<string, byte[]> Members);
