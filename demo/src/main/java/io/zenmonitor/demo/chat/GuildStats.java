package io.zenmonitor.demo.chat;

/** Publishes a {@link GuildImpl}'s counters as {@value #NAME}. */
public final class GuildStats implements GuildStatsMBean {

    public static final String NAME = "chat:type=Guild";

    private final GuildImpl guild;

    GuildStats(GuildImpl guild) {
        this.guild = guild;
    }

    @Override
    public int getRegistrations() {
        return guild.memberCount();
    }

    @Override
    public long getRegistered() {
        return guild.registrations.get();
    }

    @Override
    public long getCleanups() {
        return guild.cleanups.get();
    }

    @Override
    public int getSessions() {
        return guild.sessionCount();
    }

    @Override
    public long getUnreferenced() {
        return guild.unreferenced.get();
    }

    @Override
    public long getPosts() {
        return guild.posts.get();
    }

    @Override
    public long getBroadcasts() {
        return guild.broadcasts.get();
    }

    @Override
    public long getDeliveries() {
        return guild.deliveries.get();
    }

    @Override
    public long getFailedDeliveries() {
        return guild.failedDeliveries.get();
    }

    @Override
    public long getLastBroadcastMillis() {
        return guild.lastBroadcastMillis;
    }
}
