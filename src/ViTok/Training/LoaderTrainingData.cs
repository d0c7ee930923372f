using ViTok.Data;
using DataLoader = ViTok.Data.DataLoader;

namespace ViTok.Training;

/// <summary>Training batches from the data layer's <see cref="DataLoader"/>: epochs follow one another, every order and
/// augmentation derives from (seed, epoch, index), and <see cref="Seek"/> restarts the stream at a saved position.</summary>
public sealed class LoaderTrainingData : ITrainingData
{
    private readonly DataLoader _loader;
    private readonly int _padTo;
    private IEnumerator<Batch>? _stream;

    /// <summary>Wraps a loader; with <paramref name="padTo"/> &gt; 0 every batch is centred on a black (−1) canvas of
    /// padTo × padTo (config <c>pad_to</c>).</summary>
    public LoaderTrainingData(DataLoader loader, int padTo = 0)
    {
        _loader = loader;
        _padTo = padTo;
    }

    /// <summary>Opens the training data a run config names: <c>data</c> is a path (kind detected) or an object
    /// (<see cref="DataSpec"/>: path, kind, test_split, frame_stride, fps, count, short_side, test_fraction); images get the paper's training
    /// transform at <c>image_size</c> (RandomResizedCrop 0.8–1 and a flip) unless <c>augment</c> is false (then the
    /// eval transform: short-side resize and centre crop).</summary>
    /// <exception cref="ViTokException">No data, or fewer items than one batch.</exception>
    public static LoaderTrainingData Open(TrainConfig c, TextWriter? log = null)
    {
        var spec = DataSpec.From(c.Data);
        var transform = c.Augment ? ImageTransform.ForTraining(c.ImageSize) : ImageTransform.ForEval(c.ImageSize);
        var source = DataSources.Open(spec.Path, spec.Options(transform, c.Frames, (ulong)c.Seed));
        if (IgnoredFile.Summary(source.Ignored) is { } ignored)
            log?.WriteLine($"note: {source.Location}: {ignored} ({string.Join("; ", source.Ignored.Take(3).Select(i => $"{Path.GetFileName(i.Path)}: {i.Why}"))}{(source.Ignored.Count > 3 ? "; …" : "")})");
        var loader = new DataLoader(source, new DataLoaderOptions
        {
            BatchSize = c.BatchSize,
            Workers = c.Workers,
            Seed = (ulong)c.Seed,
            DropLast = true,
            Log = log,
        });
        if (loader.ItemsPerEpoch >= 0 && loader.ItemsPerEpoch < c.BatchSize)
            throw new ViTokException($"{source.Location}: {loader.ItemsPerEpoch} items, fewer than one batch (batch_size = {c.BatchSize}); set batch_size to at most {loader.ItemsPerEpoch} or add data.");
        return new LoaderTrainingData(loader, c.PadTo);
    }

    /// <inheritdoc />
    public LoaderPosition Position { get; private set; }

    /// <inheritdoc />
    public void Seek(LoaderPosition position)
    {
        _stream?.Dispose();
        _stream = null;
        Position = position;
    }

    /// <inheritdoc />
    public (Tensor Input, Tensor? Labels) Next()
    {
        _stream ??= _loader.Batches(Position).GetEnumerator();
        if (!_stream.MoveNext())
            throw new ViTokException($"the data source {_loader.Source} ended; it yielded no full batch of {_loader.Options.BatchSize}.");
        var batch = _stream.Current;
        Position = batch.Next;
        // The loader disposes its batch when the next one is requested: hand out copies.
        return (_padTo > 0 ? CentredPad.Apply(batch.Pixels, _padTo, "pad_to", "raise pad_to or lower image_size") : batch.Pixels.clone(), batch.Labels.clone());
    }

    /// <inheritdoc />
    public string Describe()
    {
        string skips = _loader.Skips.Count == 0 ? "" : $"; skipped so far: {_loader.Skips.Summary(20)}";
        return $"{_loader.Source.Kind} at {_loader.Source.Location}, {_loader.ItemsPerEpoch} items per epoch, batch {_loader.Options.BatchSize}, {_loader.Options.Workers} workers{skips}";
    }

    /// <summary>Stops the loader's workers.</summary>
    public void Dispose() => _stream?.Dispose();
}
