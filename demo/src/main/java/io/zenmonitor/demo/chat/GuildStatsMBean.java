package io.zenmonitor.demo.chat;

/** The guild's own counters, as a legacy server publishes them on its platform MBean server. */
public interface GuildStatsMBean {

    /** Member callbacks registered now. */
    int getRegistrations();

    /** Member callbacks ever registered. */
    long getRegistered();

    /** {@code removeMemberListener} calls that removed a registration. */
    long getCleanups();

    /** Sessions open now. */
    int getSessions();

    /** Sessions ended by {@code Unreferenced.unreferenced()}. */
    long getUnreferenced();

    long getPosts();

    long getBroadcasts();

    long getDeliveries();

    /** Broadcast calls to a member that failed (the member is kept). */
    long getFailedDeliveries();

    /** Duration of the last broadcast, in milliseconds. */
    long getLastBroadcastMillis();
}
