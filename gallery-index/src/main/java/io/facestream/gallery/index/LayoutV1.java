package io.facestream.gallery.index;

import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.template.TemplatePlan;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * Layout 1. One document per gallery, subject and medium; per-medium galleries search the medium documents, BOOKING
 * galleries get one extra template document per subject. Template vectors are unit length in
 * {@code vec.<model>.<version>} (DOT_PRODUCT = cosine); raw features are kept as little-endian float32 in
 * {@code raw.<model>.<version>} so templates can be re-fused and records re-published without the topic.
 */
public final class LayoutV1 implements IndexLayout {
    static final String ROLE = "role";
    static final String KEY = "key";
    static final String LINEAGE = "lineage";
    static final String GALLERY = "gallery";
    static final String SUBJECT = "subject";
    static final String SUBJECT_KEY = "subject_key";
    static final String SUBJECT_RECORD = "subject_record";
    static final String MEDIA = "media";
    static final String KIND = "kind";
    static final String DISPLAY = "display_name";
    static final String CREATED = "created_ts_us";
    static final String MODEL = "model";
    static final String SEARCHABLE = "searchable";
    static final String TEMPLATE_OF = "template_of";
    static final String GALLERY_META = "gmeta.";
    static final String SUBJECT_META = "meta.";
    static final String MEDIUM_META = "mmeta.";

    @Override
    public int version() {
        return 1;
    }

    @Override
    public Document gallery(GalleryDefinition g) {
        Document d = base("gallery", g.key());
        d.add(new StoredField(KIND, g.kind().name()));
        g.metadata().forEach((k, v) -> d.add(new StoredField(GALLERY_META + k, v)));
        return d;
    }

    @Override
    public Document subject(Subject s) {
        Document d = base("subject", s.key());
        d.add(new StringField(SUBJECT, s.subjectId(), Field.Store.YES));
        d.add(new StringField(SUBJECT_KEY, s.key().text(), Field.Store.NO));
        d.add(new StringField(SUBJECT_RECORD, s.key().text(), Field.Store.NO));
        d.add(new StoredField(DISPLAY, s.displayName()));
        // indexed so that searches can filter subjects by metadata
        s.metadata().forEach((k, v) -> d.add(new StringField(SUBJECT_META + k, v, Field.Store.YES)));
        return d;
    }

    @Override
    public Document medium(Medium m, GalleryKind kind) {
        Document d = base("medium", m.key());
        d.add(new StringField(SUBJECT, m.subjectId(), Field.Store.YES));
        d.add(new StringField(SUBJECT_KEY, m.key().parent().text(), Field.Store.NO));
        d.add(new StoredField(MEDIA, m.mediaId()));
        d.add(new StoredField(CREATED, m.createdTsUs()));
        m.metadata().forEach((k, v) -> d.add(new StoredField(MEDIUM_META + k, v)));
        for (Embedding e : m.embeddings()) {
            d.add(new StringField(MODEL, e.model().toString(), Field.Store.YES));
            d.add(new StoredField(e.model().rawField(), toBytes(e.values())));
        }
        if (TemplatePlan.perMedium(kind)) {
            d.add(new StringField(SEARCHABLE, "1", Field.Store.NO));
            TemplatePlan.forMedium(m).vectors().forEach((model, unit) -> d.add(vector(model, unit)));
        }
        return d;
    }

    @Override
    public Document bookingTemplate(GalleryKey.OfSubject s, TemplatePlan.Template t) {
        Document d = new Document();
        d.add(new StringField(ROLE, "template", Field.Store.YES));
        d.add(new StringField(TEMPLATE_OF, s.text(), Field.Store.NO));
        for (String level : s.lineage()) {
            d.add(new StringField(LINEAGE, level, Field.Store.NO));
        }
        d.add(new StringField(GALLERY, s.gallery(), Field.Store.YES));
        d.add(new StringField(SUBJECT, s.subject(), Field.Store.YES));
        d.add(new StringField(SUBJECT_KEY, s.text(), Field.Store.NO));
        d.add(new StringField(SEARCHABLE, "1", Field.Store.NO));
        t.vectors().forEach((model, unit) -> d.add(vector(model, unit)));
        return d;
    }

    private static KnnFloatVectorField vector(ModelVersion model, float[] unit) {
        return new KnnFloatVectorField(model.vectorField(), unit, VectorSimilarityFunction.DOT_PRODUCT);
    }

    private static Document base(String role, GalleryKey key) {
        Document d = new Document();
        d.add(new StringField(ROLE, role, Field.Store.YES));
        d.add(new StringField(KEY, key.text(), Field.Store.YES));
        for (String level : key.lineage()) {
            d.add(new StringField(LINEAGE, level, Field.Store.NO));
        }
        d.add(new StringField(GALLERY, key.gallery(), Field.Store.YES));
        return d;
    }

    @Override
    public Term record(GalleryKey key) {
        return new Term(KEY, key.text());
    }

    @Override
    public Term lineage(GalleryKey key) {
        return new Term(LINEAGE, key.text());
    }

    @Override
    public Term templateOf(GalleryKey.OfSubject subject) {
        return new Term(TEMPLATE_OF, subject.text());
    }

    @Override
    public Query templatesOf(List<String> galleries) {
        return new BooleanQuery.Builder()
                .add(new TermQuery(new Term(SEARCHABLE, "1")), Occur.FILTER)
                .add(
                        new TermInSetQuery(
                                GALLERY, galleries.stream().map(BytesRef::new).toList()),
                        Occur.FILTER)
                .build();
    }

    @Override
    public Query subjectsMatching(List<String> galleries, Map<String, String> metadata) {
        BooleanQuery.Builder b = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(ROLE, "subject")), Occur.FILTER)
                .add(
                        new TermInSetQuery(
                                GALLERY, galleries.stream().map(BytesRef::new).toList()),
                        Occur.FILTER);
        metadata.forEach((k, v) -> b.add(new TermQuery(new Term(SUBJECT_META + k, v)), Occur.FILTER));
        return b.build();
    }

    @Override
    public Query media(String gallery) {
        return new BooleanQuery.Builder()
                .add(new TermQuery(new Term(ROLE, "medium")), Occur.FILTER)
                .add(new TermQuery(new Term(GALLERY, gallery)), Occur.FILTER)
                .build();
    }

    @Override
    public Query mediaOf(GalleryKey.OfSubject subject) {
        return new BooleanQuery.Builder()
                .add(new TermQuery(new Term(ROLE, "medium")), Occur.FILTER)
                .add(new TermQuery(new Term(SUBJECT_KEY, subject.text())), Occur.FILTER)
                .build();
    }

    @Override
    public Query mediaWith(String gallery, ModelVersion model) {
        return new BooleanQuery.Builder()
                .add(media(gallery), Occur.FILTER)
                .add(new TermQuery(new Term(MODEL, model.toString())), Occur.FILTER)
                .build();
    }

    @Override
    public Query galleries() {
        return new TermQuery(new Term(ROLE, "gallery"));
    }

    @Override
    public String subjectKeyField() {
        return SUBJECT_KEY;
    }

    @Override
    public String subjectRecordField() {
        return SUBJECT_RECORD;
    }

    @Override
    public GalleryDefinition readGallery(Document d) {
        return new GalleryDefinition(d.get(GALLERY), GalleryKind.valueOf(d.get(KIND)), prefixed(d, GALLERY_META));
    }

    @Override
    public Subject readSubject(Document d) {
        return new Subject(d.get(GALLERY), d.get(SUBJECT), d.get(DISPLAY), prefixed(d, SUBJECT_META));
    }

    @Override
    public Medium readMedium(Document d, List<byte[]> crops) {
        List<Embedding> embeddings = new ArrayList<>();
        for (String model : d.getValues(MODEL)) {
            ModelVersion mv = ModelVersion.parse(model);
            BytesRef raw = d.getBinaryValue(mv.rawField());
            if (raw == null) {
                throw new IllegalStateException(
                        "medium " + d.get(KEY) + " lists model " + mv + " but has no " + mv.rawField());
            }
            embeddings.add(new Embedding(mv, fromBytes(raw)));
        }
        IndexableField created = d.getField(CREATED);
        return new Medium(
                d.get(GALLERY),
                d.get(SUBJECT),
                d.get(MEDIA),
                embeddings,
                crops,
                prefixed(d, MEDIUM_META),
                created == null ? 0 : created.numericValue().longValue());
    }

    @Override
    public java.util.Optional<GalleryKey> keyOf(Document d) {
        String key = d.get(KEY);
        return key == null ? java.util.Optional.empty() : java.util.Optional.of(GalleryKey.parse(key));
    }

    @Override
    public GalleryKey.OfSubject subjectOf(Document d) {
        return new GalleryKey.OfSubject(d.get(GALLERY), d.get(SUBJECT));
    }

    @Override
    public String mediaIdOf(Document d) {
        String media = d.get(MEDIA);
        return media == null ? "" : media;
    }

    private static Map<String, String> prefixed(Document d, String prefix) {
        Map<String, String> out = new TreeMap<>();
        for (IndexableField f : d.getFields()) {
            if (f.name().startsWith(prefix)) {
                out.put(f.name().substring(prefix.length()), f.stringValue());
            }
        }
        return out;
    }

    static byte[] toBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    static float[] fromBytes(BytesRef raw) {
        if (raw.length % Float.BYTES != 0) {
            throw new GalleryInputException("stored raw vector has " + raw.length + " bytes, not a multiple of 4");
        }
        float[] v = new float[raw.length / Float.BYTES];
        ByteBuffer.wrap(raw.bytes, raw.offset, raw.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(v);
        return v;
    }
}
